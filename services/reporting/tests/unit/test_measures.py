"""Outcome rules: GBO change, NHS Talking Therapies definitions, medians and small-number suppression."""

from dataclasses import replace

import pytest

from accord.reporting.domain.measures import (
    OutcomeRules,
    Paired,
    gbo_change,
    gbo_reliably_improved,
    median,
    metric,
    paired,
    talking_therapies_outcome,
)

RULES = OutcomeRules()


def test_gbo_change_is_latest_minus_first_and_needs_two_ratings() -> None:
    assert gbo_change([2, 9, 5]) == 3
    assert gbo_change([4]) is None
    assert gbo_change([]) is None


@pytest.mark.parametrize(("change", "reliable"), [(2.45, True), (2.4, False), (-3, False), (7, True)])
def test_reliable_gbo_improvement_is_a_rise_of_at_least_the_setting(change: float, reliable: bool) -> None:
    assert gbo_reliably_improved(change, RULES) is reliable
    assert gbo_reliably_improved(2.0, OutcomeRules(gbo_reliable_change=2.0))


def test_median_of_even_and_odd_counts() -> None:
    assert median([6, 1, 3]) == 3
    assert median([1, 1, 2, 3, 5, 6]) == 2.5
    assert median([]) is None


def test_paired_takes_first_and_last() -> None:
    assert paired([15, 12, 8]) == Paired(15, 8)
    assert paired([15]) is None


@pytest.mark.parametrize(
    ("phq9", "gad7", "expected"),
    [
        # (caseness at start, reliable improvement, reliable deterioration, recovery, reliable recovery)
        (Paired(15, 8), Paired(9, 5), (True, True, False, True, True)),
        (Paired(12, 9), None, (True, False, False, True, False)),  # recovered, but a fall of 3 is not reliable
        (None, Paired(14, 13), (True, False, False, False, False)),
        (Paired(10, 17), None, (True, False, True, False, False)),
        (Paired(7, 1), None, (False, True, False, False, False)),  # not a case at the start: cannot recover
        (Paired(16, 9), Paired(5, 9), (True, False, True, False, False)),  # GAD-7 rises by 4: not an improvement
        (Paired(16, 11), Paired(12, 7), (True, True, False, False, False)),  # GAD-7 -5; PHQ-9 still at caseness
        (Paired(9, 3), Paired(8, 4), (True, True, False, True, True)),  # caseness by GAD-7 alone (>= 8)
    ],
)
def test_nhs_talking_therapies_definitions(
    phq9: Paired | None, gad7: Paired | None, expected: tuple[bool, ...]
) -> None:
    outcome = talking_therapies_outcome(phq9, gad7, RULES)
    assert outcome is not None
    found = (
        outcome.caseness_at_start,
        outcome.reliable_improvement,
        outcome.reliable_deterioration,
        outcome.recovery,
        outcome.reliable_recovery,
    )
    assert found == expected


def test_no_pair_no_outcome() -> None:
    assert talking_therapies_outcome(None, None, RULES) is None


def test_thresholds_are_settings() -> None:
    strict = OutcomeRules(phq9_reliable_change=8)
    outcome = talking_therapies_outcome(Paired(15, 8), None, strict)
    assert outcome is not None and not outcome.reliable_improvement


def test_small_numbers_are_withheld_with_their_count() -> None:
    withheld, empty = metric("x", "share", 0.5, 4, RULES), metric("x", "share", None, 0, RULES)
    # Published alike; only secondary suppression is told that someone is behind the first (see suppression.py).
    assert (withheld.small_number, empty.small_number) == (True, False)
    assert replace(withheld, small_number=False) == empty
    assert (withheld.value, withheld.clients, withheld.suppressed) == (None, None, True)
    shown = metric("x", "share", 0.5, 5, RULES)
    assert (shown.value, shown.clients, shown.suppressed) == (0.5, 5, False)
    assert not metric("x", "count", 1, 2, OutcomeRules(suppression_threshold=2)).suppressed
