"""How long a busy outbox relay lets later commits join a batch: the pause follows the rate rows come in."""

import pytest

from accord.shared.outbox.relay import gather_pause


def test_at_a_hundred_rows_a_second_the_relay_gathers_for_its_longest_pause() -> None:
    assert gather_pause(0.06, 75, rows_per_second=100) == pytest.approx(0.06)


def test_at_thousands_of_rows_a_second_the_pause_is_as_long_as_the_batch_takes_to_fill() -> None:
    assert gather_pause(0.06, 75, rows_per_second=3_000) == pytest.approx(0.025)
    assert gather_pause(0.06, 75, rows_per_second=30_000) == pytest.approx(0.0025)


def test_without_a_batch_size_or_a_rate_the_pause_is_the_longest() -> None:
    assert gather_pause(0.06, 0, rows_per_second=3_000) == pytest.approx(0.06)
    assert gather_pause(0.06, 75, rows_per_second=0.0) == pytest.approx(0.06)
