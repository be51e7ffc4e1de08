from datetime import UTC, datetime, timedelta
from uuid import uuid4

from accord.notifications.domain.check_ins import CheckInDue
from accord.notifications.domain.delivery import RetryPolicy

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_retries_back_off_exponentially_up_to_a_cap_then_give_up() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_seconds=10, backoff_max_seconds=30)
    delays = [policy.next_attempt(n, NOW) for n in range(1, 6)]
    assert [(d - NOW).total_seconds() for d in delays[:4] if d] == [10, 20, 30, 30]
    assert delays[4] is None


def test_a_check_in_is_skipped_when_the_client_recorded_progress_in_the_period() -> None:
    week = timedelta(days=7)
    due = CheckInDue(uuid4(), NOW, week, last_client_entry_at=NOW - timedelta(days=2))
    assert due.already_checked_in
    assert not CheckInDue(uuid4(), NOW, week, last_client_entry_at=NOW - timedelta(days=8)).already_checked_in
    assert not CheckInDue(uuid4(), NOW, week, last_client_entry_at=None).already_checked_in


def test_a_long_missed_check_in_comes_round_once_then_on_the_next_slot() -> None:
    week = timedelta(days=7)
    due = CheckInDue(uuid4(), NOW - timedelta(days=20), week, None)
    assert due.next_due(NOW) == NOW + timedelta(days=1)


def test_a_reminder_has_one_id_per_goal_and_period() -> None:
    goal = uuid4()
    week = timedelta(days=7)
    assert CheckInDue(goal, NOW, week, None).reminder_id == CheckInDue(goal, NOW, week, None).reminder_id
    assert CheckInDue(goal, NOW, week, None).reminder_id != CheckInDue(goal, NOW + week, week, None).reminder_id
