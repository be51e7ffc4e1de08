"""Secondary suppression at its edges: whole months that have ended, and totals withheld with a small month."""

from datetime import date

import pytest

from accord.reporting.domain.measures import Metric, OutcomeRules, metric
from accord.reporting.domain.outcomes import Period
from accord.reporting.domain.suppression import months_of, whole_months, withhold_totals

RULES = OutcomeRules(suppression_threshold=5)


@pytest.mark.parametrize(
    ("first", "last", "today", "expected"),
    [
        (date(2026, 3, 10), date(2026, 4, 9), date(2026, 11, 28), Period(date(2026, 3, 1), date(2026, 4, 30))),
        (date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1), Period(date(2026, 3, 1), date(2026, 3, 31))),
        # The month of today is not over, even on its last day: it is left out.
        (date(2026, 9, 1), date(2026, 11, 28), date(2026, 11, 28), Period(date(2026, 9, 1), date(2026, 10, 31))),
        (date(2026, 9, 1), date(2026, 10, 31), date(2026, 10, 31), Period(date(2026, 9, 1), date(2026, 9, 30))),
        (date(2026, 9, 1), date(2027, 1, 15), date(2026, 11, 28), Period(date(2026, 9, 1), date(2026, 10, 31))),
        # February of a leap year, and a period across the new year.
        (date(2024, 2, 29), date(2024, 2, 29), date(2024, 3, 1), Period(date(2024, 2, 1), date(2024, 2, 29))),
        (date(2025, 12, 31), date(2026, 1, 1), date(2026, 5, 1), Period(date(2025, 12, 1), date(2026, 1, 31))),
    ],
)
def test_a_period_becomes_the_whole_months_that_have_ended(
    first: date, last: date, today: date, expected: Period
) -> None:
    assert whole_months(first, last, today) == expected


def test_a_period_within_the_month_not_yet_over_has_no_whole_month() -> None:
    assert whole_months(date(2026, 11, 2), date(2026, 11, 27), date(2026, 11, 28)) is None


def test_any_two_periods_differ_by_whole_months_only() -> None:
    today = date(2026, 11, 28)
    up_to_9 = whole_months(date(2026, 3, 1), date(2026, 4, 9), today)
    up_to_10 = whole_months(date(2026, 3, 1), date(2026, 4, 10), today)
    assert up_to_9 == up_to_10


def test_the_months_of_a_period_are_its_calendar_months_in_order() -> None:
    months = months_of(Period(date(2025, 11, 1), date(2026, 2, 28)))
    assert [(m.first_day, m.last_day) for m in months] == [
        (date(2025, 11, 1), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]


def figures(**clients: int) -> list[Metric]:
    return [metric(name, "count", float(n), n, RULES) for name, n in clients.items()]


def test_a_total_is_withheld_when_one_of_its_months_is_withheld_for_a_small_number() -> None:
    total = figures(goals=6, recovery=9)
    months = [figures(goals=5, recovery=5), figures(goals=1, recovery=4)]
    assert [(m.name, m.suppressed, m.value, m.clients) for m in withhold_totals(total, months)] == [
        ("goals", True, None, None),
        ("recovery", True, None, None),
    ]


def test_a_total_stays_when_its_months_are_each_publishable_or_drawn_from_nobody() -> None:
    total = figures(goals=10, recovery=5)
    months = [figures(goals=5, recovery=0), figures(goals=5, recovery=5)]
    assert withhold_totals(total, months) == total


def test_at_the_threshold_a_month_is_publishable_and_one_below_it_withholds_the_total() -> None:
    total = figures(goals=9)
    assert withhold_totals(total, [figures(goals=5), figures(goals=4)])[0].suppressed
    assert not withhold_totals(figures(goals=10), [figures(goals=5), figures(goals=5)])[0].suppressed


def test_only_the_figure_at_risk_is_withheld_and_a_total_already_withheld_stays_so() -> None:
    total = figures(goals=7, milestones=3)
    months = [figures(goals=3, milestones=3), figures(goals=4, milestones=0)]
    out = {m.name: m for m in withhold_totals(total, months)}
    assert out["goals"].suppressed and out["goals"].value is None
    assert out["milestones"] == total[1]  # withheld for its own small number, as before


def test_a_period_of_one_month_is_its_own_only_cell() -> None:
    total = figures(goals=5)
    assert withhold_totals(total, [total]) == total
