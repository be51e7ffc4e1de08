"""Outcome rules as pure functions: GBO change, NHS Talking Therapies definitions, medians, small-number suppression.

Every threshold is a setting (see OutcomeRules) with the published figure as its default.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class OutcomeRules:
    suppression_threshold: int = 5
    """A figure drawn from fewer clients than this is withheld, so that no one can be singled out."""
    gbo_reliable_change: float = 2.45
    phq9_caseness: int = 10
    gad7_caseness: int = 8
    phq9_reliable_change: int = 6
    gad7_reliable_change: int = 4
    recent_progress_days: int = 14


@dataclass(frozen=True)
class Paired:
    """The first and last score of one instrument for one client."""

    first: float
    last: float

    @property
    def change(self) -> float:
        return self.last - self.first


def paired(scores: Sequence[float]) -> Paired | None:
    """First and last of scores in time order; None unless there are at least two."""
    return Paired(scores[0], scores[-1]) if len(scores) >= 2 else None


def gbo_change(ratings: Sequence[float]) -> float | None:
    """Latest rating minus first rating of one goal; None without two ratings."""
    pair = paired(ratings)
    return None if pair is None else pair.change


def gbo_reliably_improved(change: float, rules: OutcomeRules) -> bool:
    return change >= rules.gbo_reliable_change


class ReliableChange(StrEnum):
    IMPROVEMENT = "improvement"
    DETERIORATION = "deterioration"
    NONE = "none"


def questionnaire_change(instrument: str, first: int, later: int, rules: OutcomeRules) -> ReliableChange | None:
    """A later PHQ-9 or GAD-7 total against the client's first of the same instrument, by the same reliable-change
    thresholds as the service outcomes (a fall is an improvement); None for an instrument without one."""
    threshold = {"PHQ-9": rules.phq9_reliable_change, "GAD-7": rules.gad7_reliable_change}.get(instrument)
    if threshold is None:
        return None
    if first - later >= threshold:
        return ReliableChange.IMPROVEMENT
    if later - first >= threshold:
        return ReliableChange.DETERIORATION
    return ReliableChange.NONE


def mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def share(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass(frozen=True)
class TalkingTherapiesOutcome:
    caseness_at_start: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    recovery: bool
    reliable_recovery: bool


def talking_therapies_outcome(
    phq9: Paired | None, gad7: Paired | None, rules: OutcomeRules
) -> TalkingTherapiesOutcome | None:
    """NHS Talking Therapies definitions on paired first/last PHQ-9 and GAD-7 scores.

    Caseness: PHQ-9 >= 10 or GAD-7 >= 8. Reliable improvement: PHQ-9 falls by >= 6 or GAD-7 by >= 4, and neither
    rises by as much (reliable deterioration: either rises by as much). Recovery: at caseness at the start and below
    both thresholds at the end. Reliable recovery: recovery and reliable improvement together. A client with only one
    of the two measures paired is judged on that measure alone; with neither, there is no outcome.
    """
    if phq9 is None and gad7 is None:
        return None
    measures = [
        (pair, caseness, reliable)
        for pair, caseness, reliable in (
            (phq9, rules.phq9_caseness, rules.phq9_reliable_change),
            (gad7, rules.gad7_caseness, rules.gad7_reliable_change),
        )
        if pair is not None
    ]
    start_case = any(pair.first >= caseness for pair, caseness, _ in measures)
    end_case = any(pair.last >= caseness for pair, caseness, _ in measures)
    improved = any(-pair.change >= reliable for pair, _, reliable in measures)
    deteriorated = any(pair.change >= reliable for pair, _, reliable in measures)
    reliable_improvement = improved and not deteriorated
    recovery = start_case and not end_case
    return TalkingTherapiesOutcome(
        caseness_at_start=start_case,
        reliable_improvement=reliable_improvement,
        reliable_deterioration=deteriorated,
        recovery=recovery,
        reliable_recovery=recovery and reliable_improvement,
    )


@dataclass(frozen=True)
class Metric:
    """One service figure and how many clients it is drawn from; both withheld below the threshold."""

    name: str
    unit: str  # count | days | share | points
    value: float | None
    clients: int | None
    suppressed: bool
    small_number: bool = False
    """Withheld because it is drawn from at least one client and fewer than the threshold (primary suppression); a
    figure drawn from nobody is withheld too, but has no one behind it to single out."""


def metric(name: str, unit: str, value: float | None, clients: int, rules: OutcomeRules) -> Metric:
    if clients < rules.suppression_threshold:
        return Metric(name, unit, None, None, True, small_number=clients > 0)
    return Metric(name, unit, value, clients, False)
