"""The SMART check: a result per criterion with a plain-language hint where a draft falls short."""

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from accord.goals.domain.content import GoalContent
from accord.shared.events.contracts.common import Direction, MilestoneKind

VAGUE = re.compile(r"^\s*(?:i want to |to )?(?:be |feel )?(?:better|happier|ok|okay|fine|good|normal)\W*$", re.I)
LOW_CONFIDENCE = 4
LONGEST_DUE_DAYS = 2 * 365


class Criterion(StrEnum):
    SPECIFIC = "specific"
    MEASURABLE = "measurable"
    ACHIEVABLE = "achievable"
    RELEVANT = "relevant"
    TIME_BOUND = "time_bound"


class CriterionResult(BaseModel):
    criterion: Criterion
    passed: bool
    hint: str | None = None


class SmartResult(BaseModel):
    results: list[CriterionResult]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


def check(content: GoalContent, today: date) -> SmartResult:
    return SmartResult(
        results=[
            _specific(content),
            _measurable(content),
            _achievable(content),
            _relevant(content),
            _time_bound(content, today),
        ]
    )


def _result(criterion: Criterion, hint: str | None) -> CriterionResult:
    return CriterionResult(criterion=criterion, passed=hint is None, hint=hint)


def _specific(c: GoalContent) -> CriterionResult:
    words = len(c.statement.split())
    if VAGUE.match(c.statement) or words < 3:
        return _result(
            Criterion.SPECIFIC,
            "Say what you would be doing when this goal is reached, "
            "for example 'go to school on the bus three days a week'.",
        )
    return _result(Criterion.SPECIFIC, None)


def _measurable(c: GoalContent) -> CriterionResult:
    low, high = c.measure.minimum, c.measure.maximum
    if not (low <= c.baseline <= high and low <= c.target <= high):
        return _result(
            Criterion.MEASURABLE, f"Baseline and target need to be on the measure's scale ({low:g}-{high:g})."
        )
    moves_right_way = c.target > c.baseline if c.direction is Direction.INCREASE else c.target < c.baseline
    if not moves_right_way:
        return _result(
            Criterion.MEASURABLE,
            "The target should be further along than where you are now, in the direction you chose.",
        )
    for m in c.milestones:
        if m.kind is MilestoneKind.THRESHOLD and m.threshold is not None and not low <= m.threshold <= high:
            return _result(Criterion.MEASURABLE, "Each milestone's threshold needs to be on the measure's scale.")
    return _result(Criterion.MEASURABLE, None)


def _achievable(c: GoalContent) -> CriterionResult:
    if c.confidence < LOW_CONFIDENCE:
        return _result(
            Criterion.ACHIEVABLE,
            "Confidence is low: a smaller first step may feel more possible. Talk it through together.",
        )
    return _result(Criterion.ACHIEVABLE, None)


def _relevant(c: GoalContent) -> CriterionResult:
    if len(c.why_it_matters.split()) < 2:
        return _result(Criterion.RELEVANT, "Add a few words on why this goal matters to you.")
    return _result(Criterion.RELEVANT, None)


def _time_bound(c: GoalContent, today: date) -> CriterionResult:
    days = (c.due_date - today).days
    if days <= 0:
        return _result(Criterion.TIME_BOUND, "The due date has passed: choose a date in the future.")
    if days > LONGEST_DUE_DAYS:
        return _result(Criterion.TIME_BOUND, "The due date is years away: a nearer date keeps the goal in view.")
    if c.review_interval_days > days:
        return _result(Criterion.TIME_BOUND, "Plan at least one review before the due date.")
    return _result(Criterion.TIME_BOUND, None)
