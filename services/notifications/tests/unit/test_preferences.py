from datetime import UTC, datetime, time

import pytest

from accord.notifications.domain.preferences import Preferences, QuietHours, is_time_zone

NIGHT = QuietHours(time(22), time(7))


def test_quiet_hours_wrapping_midnight() -> None:
    assert NIGHT.contains(time(23, 30)) and NIGHT.contains(time(0)) and NIGHT.contains(time(6, 59))
    assert not NIGHT.contains(time(7)) and not NIGHT.contains(time(12)) and not NIGHT.contains(time(21, 59))


def test_quiet_hours_within_a_day() -> None:
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13))


def test_empty_quiet_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="different"):
        QuietHours(time(8), time(8))


def test_a_message_in_quiet_hours_waits_for_their_end_in_the_persons_own_time_zone() -> None:
    prefs = Preferences("en", "Europe/London", quiet_hours=NIGHT)
    summer_night = datetime(2025, 7, 1, 22, 30, tzinfo=UTC)  # 23:30 in London (BST)
    assert prefs.quiet_until(summer_night) == datetime(2025, 7, 2, 6, 0, tzinfo=UTC)  # 07:00 BST
    assert prefs.quiet_until(datetime(2025, 7, 2, 6, 0, tzinfo=UTC)) is None


def test_the_same_instant_is_not_quiet_for_someone_elsewhere() -> None:
    prefs = Preferences("en", "America/New_York", quiet_hours=NIGHT)
    assert prefs.quiet_until(datetime(2025, 7, 1, 22, 30, tzinfo=UTC)) is None  # 18:30 in New York


def test_no_quiet_hours_never_defers() -> None:
    assert Preferences("en", "Europe/London").quiet_until(datetime(2025, 1, 1, 3, tzinfo=UTC)) is None


def test_the_digest_goes_out_at_the_next_digest_hour_local_time() -> None:
    prefs = Preferences("en", "Europe/London")
    assert prefs.next_digest(datetime(2025, 1, 10, 9, tzinfo=UTC), 17) == datetime(2025, 1, 10, 17, tzinfo=UTC)
    assert prefs.next_digest(datetime(2025, 1, 10, 18, tzinfo=UTC), 17) == datetime(2025, 1, 11, 17, tzinfo=UTC)


def test_time_zones_are_checked() -> None:
    assert is_time_zone("Europe/London")
    assert not is_time_zone("Mars/Olympus_Mons")
    assert not is_time_zone("../etc/passwd")
