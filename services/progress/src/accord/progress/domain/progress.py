"""Progress towards a goal and the decisions it leads to, from the goal's agreed terms and its entries.

Pure functions of (goal version, all its entries): however entries arrive — late, duplicated, out of order — the
same entries give the same answer. Each decision has a key; the service publishes a decision the first time its
key is seen for a goal version, so it is published once. Recording an entry does not reload the goal's history:
a `Ledger` holds what deciding needs of it (the keys already decided and the latest few points) and reaches the
same decisions as `threshold_decisions` over every entry.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from uuid import UUID

from accord.shared.events.contracts.common import Direction, Instrument, MeasureKind, MilestoneKind
from accord.shared.events.contracts.goals import GoalAgreed
from accord.shared.events.contracts.progress import AchievementStatus, ReviewReason

WORSENING_RUN = 3  # this many entries in a row, each further from the target, suggest a review
LATEST_NEEDED = WORSENING_RUN  # the most points any decision or status looks back over


@dataclass(frozen=True)
class Point:
    entry_id: UUID
    value: float
    occurred_at: datetime


@dataclass(frozen=True)
class Decision:
    key: str
    kind: str  # milestone | target | review
    entry_id: UUID | None
    at: datetime
    milestone_id: UUID | None = None
    reason: ReviewReason | None = None


def better(goal: GoalAgreed, a: float, b: float) -> bool:
    """Is `a` further along than `b` in the goal's direction?"""
    return a > b if goal.direction is Direction.INCREASE else a < b


def meets(goal: GoalAgreed, value: float, threshold: float) -> bool:
    return value >= threshold if goal.direction is Direction.INCREASE else value <= threshold


def in_time_order(p: Point) -> tuple[datetime, str]:
    return p.occurred_at, str(p.entry_id)


def threshold_decisions(goal: GoalAgreed, series: list[Point]) -> list[Decision]:
    """Milestones and the target, each reached by the first entry (in time) that crosses it."""
    ordered = sorted(series, key=in_time_order)
    decisions = []
    for m in goal.milestones:
        if m.kind is MilestoneKind.THRESHOLD and m.threshold is not None:
            first = next((p for p in ordered if meets(goal, p.value, m.threshold)), None)
            if first:
                decisions.append(
                    Decision(
                        f"milestone:{m.milestone_id}",
                        "milestone",
                        first.entry_id,
                        first.occurred_at,
                        milestone_id=m.milestone_id,
                    )
                )
    first_at_target = next((p for p in ordered if meets(goal, p.value, goal.target)), None)
    if first_at_target:
        decisions.append(Decision("target", "target", first_at_target.entry_id, first_at_target.occurred_at))
    if worsening(goal, ordered):
        last = ordered[-1]
        decisions.append(
            Decision("review:worsening", "review", last.entry_id, last.occurred_at, reason=ReviewReason.WORSENING)
        )
    return decisions


@dataclass
class Ledger:
    """What deciding needs of a goal version's past: the decisions already made and its latest points in time."""

    goal: GoalAgreed
    decided: set[str]
    latest: list[Point]  # at most LATEST_NEEDED, in time order
    new: list[Decision] = field(default_factory=list)  # decided since the ledger was read
    moved: bool = False  # a point was recorded since, so the status may have changed

    def decide(self, decision: Decision) -> None:
        self.decided.add(decision.key)
        self.new.append(decision)

    def record(self, point: Point) -> list[Decision]:
        """The decisions this point newly supports. A threshold not yet decided was crossed by no earlier entry, so
        the first entry crossing it is this one: the same answer as deciding over every entry at once."""
        self.latest = sorted([*self.latest, point], key=in_time_order)[-LATEST_NEEDED:]
        found = []
        for m in self.goal.milestones:
            key = f"milestone:{m.milestone_id}"
            threshold = m.threshold if m.kind is MilestoneKind.THRESHOLD else None
            if threshold is not None and key not in self.decided and meets(self.goal, point.value, threshold):
                found.append(Decision(key, "milestone", point.entry_id, point.occurred_at, milestone_id=m.milestone_id))
        if "target" not in self.decided and meets(self.goal, point.value, self.goal.target):
            found.append(Decision("target", "target", point.entry_id, point.occurred_at))
        if "review:worsening" not in self.decided and worsening(self.goal, self.latest):
            last = self.latest[-1]
            found.append(
                Decision("review:worsening", "review", last.entry_id, last.occurred_at, reason=ReviewReason.WORSENING)
            )
        for d in found:
            self.decide(d)
        self.moved = True
        return found

    @property
    def status(self) -> AchievementStatus:
        return achievement_status(self.goal, self.latest)


def worsening(goal: GoalAgreed, ordered: list[Point]) -> bool:
    tail = ordered[-WORSENING_RUN:]
    return len(tail) == WORSENING_RUN and all(better(goal, a.value, b.value) for a, b in pairwise(tail))


def achievement_status(goal: GoalAgreed, series: list[Point]) -> AchievementStatus:
    """FHIR Goal.achievementStatus from the entries so far."""
    ordered = sorted(series, key=in_time_order)
    if not ordered:
        return AchievementStatus.IN_PROGRESS
    latest = ordered[-1].value
    previous = ordered[-2].value if len(ordered) > 1 else goal.baseline
    if meets(goal, latest, goal.target):
        return AchievementStatus.SUSTAINING if meets(goal, previous, goal.target) else AchievementStatus.ACHIEVED
    if better(goal, latest, previous):
        return AchievementStatus.IMPROVING
    if better(goal, previous, latest):
        return AchievementStatus.WORSENING
    return AchievementStatus.NO_CHANGE


def reliable_change_threshold(goal: GoalAgreed, gbo_threshold: float) -> float | None:
    """The size of change the measure defines as reliable, where it defines one."""
    if goal.measure.kind is MeasureKind.GOAL_RATING:
        return gbo_threshold
    if goal.measure.kind is MeasureKind.STANDARD_SCORE:
        return {Instrument.PHQ9: 6.0, Instrument.GAD7: 4.0}.get(goal.measure.instrument)  # type: ignore[arg-type]
    return None


@dataclass(frozen=True)
class Summary:
    baseline: float
    latest: float | None
    change: float | None
    percent_to_target: float | None
    trend: str | None  # improving | worsening | stable
    status: AchievementStatus
    reliable_change: str | None  # improvement | deterioration | none; None where the measure defines none


def summarise(goal: GoalAgreed, series: list[Point], gbo_threshold: float) -> Summary:
    ordered = sorted(series, key=in_time_order)
    status = achievement_status(goal, ordered)
    if not ordered:
        return Summary(goal.baseline, None, None, 0.0, None, status, None)
    latest = ordered[-1].value
    change = latest - goal.baseline
    span = goal.target - goal.baseline
    percent = round(100 * change / span, 1) if span else None
    threshold = reliable_change_threshold(goal, gbo_threshold)
    reliable = None
    if threshold is not None:
        gained = change if goal.direction is Direction.INCREASE else -change
        reliable = "improvement" if gained >= threshold else "deterioration" if -gained >= threshold else "none"
    return Summary(goal.baseline, latest, change, percent, _trend(goal, ordered[-5:]), status, reliable)


def _trend(goal: GoalAgreed, points: list[Point]) -> str | None:
    if len(points) < 2:
        return None
    n = len(points)
    mean_x, mean_y = (n - 1) / 2, sum(p.value for p in points) / n
    slope = sum((i - mean_x) * (p.value - mean_y) for i, p in enumerate(points)) / sum(
        (i - mean_x) ** 2 for i in range(n)
    )
    if abs(slope) < 1e-9:
        return "stable"
    return "improving" if better(goal, slope, 0.0) else "worsening"


def due_reviews(goal: GoalAgreed, last_activity: datetime, now: datetime, target_reached: bool) -> list[ReviewReason]:
    """Reviews a clinician should be prompted to hold: no entry for a whole review interval, or past the due date
    without reaching the target. Prompts go to clinicians, never as a reproach to the client."""
    reasons = []
    if now - last_activity >= timedelta(days=goal.review_interval_days):
        reasons.append(ReviewReason.NO_RECENT_ENTRY)
    if now.date() > goal.due_date and not target_reached:
        reasons.append(ReviewReason.PAST_DUE)
    return reasons
