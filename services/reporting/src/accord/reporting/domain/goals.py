"""A goal's state derived from its facts: the same facts give the same state, whatever order they arrived in."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from accord.reporting.domain.alliance import open_divergences
from accord.reporting.domain.history import (
    ClientHistory,
    DecisionKind,
    Entry,
    EntryKind,
    GoalEvent,
    GoalVersion,
    ProgressDecision,
)
from accord.shared.events.contracts.common import MeasureKind, Party, Visibility
from accord.shared.events.contracts.progress import AchievementStatus


class Lifecycle(StrEnum):
    """FHIR R4 Goal.lifecycleStatus (the codes Accord's goals can be in)."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class Acceptance(StrEnum):
    """FHIR goal-acceptance extension status."""

    AGREE = "agree"
    DISAGREE = "disagree"
    PENDING = "pending"


@dataclass(frozen=True)
class PartyAcceptance:
    party: Party
    status: Acceptance


COMPLETED_OUTCOMES = {"achieved", "partly_achieved", "not_achieved"}
OUTCOME_ACHIEVEMENT = {"achieved": AchievementStatus.ACHIEVED, "not_achieved": AchievementStatus.NOT_ACHIEVED}
PROPOSALS = {"GoalProposed", "GoalRevisionProposed"}


@dataclass(frozen=True)
class GoalState:
    goal_id: UUID
    episode_id: UUID
    lifecycle: Lifecycle
    status_date: datetime
    achievement: AchievementStatus | None
    current: GoalVersion | None
    proposed_at: datetime
    first_agreed_at: datetime | None
    visibility: Visibility
    shared_with: frozenset[UUID]
    proposed_by: UUID | None
    acceptance: tuple[PartyAcceptance, ...]
    history: tuple[GoalEvent, ...]
    entries: tuple[Entry, ...]
    milestones_reached: Mapping[UUID, datetime]
    target_reached_at: datetime | None
    reviews_suggested: tuple[str, ...]
    """Reasons the progress service gave for reviewing the current version."""
    diverging: bool = False
    """The parties' importance answers diverge and have not come back together: reviewed like a suggested review."""

    @property
    def rated_by_gbo(self) -> bool:
        return self.current is not None and self.current.measure.kind is MeasureKind.GOAL_RATING

    def measure_series(self) -> list[tuple[datetime, float]]:
        """The values of the goal's own measure over time (ratings too, when the measure is a GBO rating)."""
        kinds = {EntryKind.VALUE, EntryKind.RATING} if self.rated_by_gbo else {EntryKind.VALUE}
        return [(e.at, e.value) for e in self.entries if e.kind in kinds and e.value is not None]

    def gbo_ratings(self) -> list[tuple[datetime, float]]:
        """GBO ratings in time order. A goal measured by GBO rating starts from the baseline of its current version
        (the rating given when it was agreed) and counts the ratings since; GBO ratings of a goal measured otherwise
        start from the first one given."""
        if self.current is not None and self.rated_by_gbo:
            agreed = self.current.agreed_at
            return [(agreed, self.current.baseline), *((at, v) for at, v in self.measure_series() if at >= agreed)]
        return [(e.at, e.value) for e in self.entries if e.kind is EntryKind.RATING and e.value is not None]

    def latest_value(self) -> float | None:
        series = self.measure_series()
        return series[-1][1] if series else None

    def progress_fraction(self) -> float | None:
        """How far from baseline towards target the latest value is, 0..1 (direction-aware by construction)."""
        latest = self.latest_value()
        if self.current is None or latest is None or self.current.target == self.current.baseline:
            return None
        fraction = (latest - self.current.baseline) / (self.current.target - self.current.baseline)
        return min(1.0, max(0.0, fraction))

    def last_entry_at(self) -> datetime | None:
        return self.entries[-1].at if self.entries else None

    def review_reasons(self, now: datetime) -> list[str]:
        """Why an active goal is due for review now: suggested by progress, its review interval has elapsed since
        it was (re)agreed, or its due date has passed. Agreeing a new version is the review that clears them."""
        if self.lifecycle is not Lifecycle.ACTIVE or self.current is None:
            return []
        reasons = list(self.reviews_suggested)
        if self.diverging:
            reasons.append("goal_divergence")
        if now >= self.current.agreed_at + timedelta(days=self.current.review_interval_days):
            reasons.append("review_interval_elapsed")
        if now.date() > self.current.due_date:
            reasons.append("past_due")
        return sorted(set(reasons))

    def shared_with_family_member(self, person_id: UUID) -> bool:
        return self.visibility is Visibility.SHARED and person_id in self.shared_with


def _event_order(e: GoalEvent) -> tuple[datetime, str, int, str]:
    # A total order on facts alone (never on arrival), so ties break the same way every time.
    return (e.at, e.event_type, e.version or 0, str(e.party_id))


def goal_states(history: ClientHistory, until: datetime | None = None) -> list[GoalState]:
    """Every goal of the client known to have been proposed or agreed, as it stood just before `until` (default:
    as it stands now)."""

    def known(at: datetime) -> bool:
        return until is None or at < until

    events = sorted((e for e in history.goal_events if known(e.at)), key=_event_order)
    versions = sorted((v for v in history.versions if known(v.agreed_at)), key=lambda v: v.version)
    entries = sorted((e for e in history.entries if known(e.at)), key=lambda e: (e.at, str(e.entry_id)))
    decisions = sorted((d for d in history.decisions if known(d.at)), key=lambda d: (d.at, d.kind, str(d.detail)))
    goal_ids = {e.goal_id for e in events if e.event_type in PROPOSALS | {"GoalAgreed"}} | {v.goal_id for v in versions}
    diverging = open_divergences(c for c in history.divergences if known(c.at))
    states = [
        _goal_state(
            goal_id,
            [e for e in events if e.goal_id == goal_id],
            [v for v in versions if v.goal_id == goal_id],
            tuple(e for e in entries if e.goal_id == goal_id),
            [d for d in decisions if d.goal_id == goal_id],
        )
        for goal_id in goal_ids
    ]
    found = [replace(s, diverging=s.goal_id in diverging) for s in states if s is not None]
    return sorted(found, key=lambda s: (s.proposed_at, str(s.goal_id)))


def _goal_state(
    goal_id: UUID,
    events: list[GoalEvent],
    versions: list[GoalVersion],
    entries: tuple[Entry, ...],
    decisions: list[ProgressDecision],
) -> GoalState | None:
    current = versions[-1] if versions else None
    proposals = [e for e in events if e.event_type in PROPOSALS]
    episode_id = current.episode_id if current else next((e.episode_id for e in proposals if e.episode_id), None)
    if episode_id is None:
        return None  # only later facts have arrived so far; the goal appears once its proposal or agreement does
    proposed_at = min([e.at for e in proposals] + [v.proposed_at for v in versions])
    lifecycle, status_date = _lifecycle(events, current, proposed_at)
    # The latest word on visibility wins: the proposal's, an agreed version's, or a later change.
    visibility = next((e for e in reversed(events) if e.visibility is not None), None)
    first_proposal = next((e for e in proposals if e.event_type == "GoalProposed"), None)
    return GoalState(
        goal_id=goal_id,
        episode_id=episode_id,
        lifecycle=lifecycle,
        status_date=status_date,
        achievement=_achievement(events, decisions),
        current=current,
        proposed_at=proposed_at,
        first_agreed_at=versions[0].agreed_at if versions else None,
        visibility=visibility.visibility if visibility and visibility.visibility else Visibility.PRIVATE,
        shared_with=visibility.shared_with if visibility else frozenset(),
        proposed_by=first_proposal.party_id if first_proposal else None,
        acceptance=_acceptance(events, current),
        history=tuple(events),
        entries=entries,
        milestones_reached=_first_reached(decisions),
        target_reached_at=next((d.at for d in decisions if d.kind is DecisionKind.TARGET_REACHED), None),
        reviews_suggested=tuple(
            d.detail or "suggested"
            for d in decisions
            if d.kind is DecisionKind.REVIEW_SUGGESTED and current and d.goal_version == current.version
        ),
    )


def _lifecycle(
    events: list[GoalEvent], current: GoalVersion | None, proposed_at: datetime
) -> tuple[Lifecycle, datetime]:
    closed = next((e for e in events if e.event_type == "GoalClosed"), None)
    if closed is not None:  # closing is final, whatever arrives after it
        done = closed.outcome in COMPLETED_OUTCOMES
        return (Lifecycle.COMPLETED if done else Lifecycle.CANCELLED), closed.at
    if current is None:
        latest = max((e.version or 1 for e in events if e.event_type in PROPOSALS), default=1)
        declined = [e for e in events if e.version == latest and e.decision == "decline"]
        return (Lifecycle.REJECTED, declined[-1].at) if declined else (Lifecycle.PROPOSED, proposed_at)
    holds = [e for e in events if e.event_type in ("GoalPaused", "GoalResumed")]
    if holds and holds[-1].event_type == "GoalPaused":
        return Lifecycle.ON_HOLD, holds[-1].at
    return Lifecycle.ACTIVE, max([current.agreed_at, *(h.at for h in holds)])


def _achievement(events: list[GoalEvent], decisions: list[ProgressDecision]) -> AchievementStatus | None:
    closed = next((e for e in events if e.event_type == "GoalClosed"), None)
    if closed is not None and closed.outcome in OUTCOME_ACHIEVEMENT:
        return OUTCOME_ACHIEVEMENT[closed.outcome]
    changes = [d.detail for d in decisions if d.kind is DecisionKind.STATUS_CHANGED and d.detail]
    return AchievementStatus(changes[-1]) if changes else None


def _acceptance(events: list[GoalEvent], current: GoalVersion | None) -> tuple[PartyAcceptance, ...]:
    """Per party: everyone named in the agreed version agreed; before agreement, each required party's decision
    on the latest proposal (pending until given)."""
    if current is not None:
        return tuple(PartyAcceptance(p, Acceptance.AGREE) for p in current.parties)
    proposals = [e for e in events if e.event_type in PROPOSALS]
    if not proposals:
        return ()
    latest = proposals[-1]
    decided = {e.party_id: e.decision for e in events if e.version == latest.version and e.decision}
    status = {"agree": Acceptance.AGREE, "decline": Acceptance.DISAGREE}
    return tuple(
        PartyAcceptance(p, status.get(decided.get(p.person_id) or "", Acceptance.PENDING)) for p in latest.parties
    )


def _first_reached(decisions: Iterable[ProgressDecision]) -> dict[UUID, datetime]:
    reached: dict[UUID, datetime] = {}
    for d in decisions:
        if d.kind is DecisionKind.MILESTONE_REACHED and d.milestone_id and d.milestone_id not in reached:
            reached[d.milestone_id] = d.at  # decisions are in time order: the first is the earliest
    return reached
