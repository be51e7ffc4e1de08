"""The facts reporting keeps about one client, as read back from the projections: plain values, no I/O."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from accord.shared.events.contracts.common import Direction, Measure, MilestoneSpec, Party, Role, Visibility


@dataclass(frozen=True)
class Episode:
    episode_id: UUID
    team_id: UUID
    lead_therapist_id: UUID
    opened_at: datetime
    closed_at: datetime | None = None

    def spans(self, at: datetime) -> bool:
        return self.opened_at <= at and (self.closed_at is None or at <= self.closed_at)


@dataclass(frozen=True)
class ParticipantChange:
    episode_id: UUID
    person_id: UUID
    role: Role | None  # None when leaving
    joined: bool
    at: datetime


@dataclass(frozen=True)
class GoalEvent:
    """One step of a goal's agreement history (proposed, a party's decision, agreed, paused, closed, ...)."""

    goal_id: UUID
    event_type: str
    at: datetime
    version: int | None = None
    episode_id: UUID | None = None
    party_id: UUID | None = None
    decision: str | None = None
    parties: tuple[Party, ...] = ()
    visibility: Visibility | None = None
    shared_with: frozenset[UUID] = frozenset()
    outcome: str | None = None


@dataclass(frozen=True)
class GoalVersion:
    """An agreed version of a goal: what is measured, from where, to where, by when."""

    goal_id: UUID
    version: int
    episode_id: UUID
    category_code: str
    measure: Measure
    baseline: float
    target: float
    direction: Direction
    due_date: date
    review_interval_days: int
    milestones: tuple[MilestoneSpec, ...]
    visibility: Visibility
    shared_with: frozenset[UUID]
    parties: tuple[Party, ...]
    proposed_at: datetime
    agreed_at: datetime


class EntryKind(StrEnum):
    VALUE = "value"  # ProgressRecorded
    RATING = "rating"  # GoalRatingRecorded (GBO 0-10)
    MILESTONE_CHECK = "milestone_check"  # MilestoneChecked


@dataclass(frozen=True)
class Entry:
    entry_id: UUID
    goal_id: UUID
    kind: EntryKind
    at: datetime
    recorded_by: UUID
    value: float | None = None
    goal_version: int | None = None
    milestone_id: UUID | None = None
    recorded_by_role: Role | None = None


class DecisionKind(StrEnum):
    MILESTONE_REACHED = "milestone_reached"
    TARGET_REACHED = "target_reached"
    STATUS_CHANGED = "status_changed"  # detail: the FHIR achievementStatus
    REVIEW_SUGGESTED = "review_suggested"  # detail: the reason


@dataclass(frozen=True)
class ProgressDecision:
    """What the progress service concluded about a goal."""

    goal_id: UUID
    goal_version: int
    kind: DecisionKind
    at: datetime
    milestone_id: UUID | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    response_id: UUID
    instrument: str  # "PHQ-9" | "GAD-7"
    total: int
    severity: str
    at: datetime
    episode_id: UUID | None = None
    """The care episode it was completed for; None when published before responses named one."""


@dataclass(frozen=True)
class SafetySignal:
    signal_id: UUID
    event_id: UUID  # notifications name it as their source
    instrument: str
    raised_at: datetime


@dataclass(frozen=True)
class NotificationOutcome:
    source_event_id: UUID
    recipient_id: UUID
    delivered: bool
    at: datetime


@dataclass(frozen=True)
class DivergenceChange:
    """A goal's importance answers diverged (`raised`) or came back together; no answer and no spread."""

    goal_id: UUID
    episode_id: UUID
    version: int
    raised: bool
    at: datetime


@dataclass(frozen=True)
class SessionFeedback:
    """The young person's feedback on one session: four 0-10 answers (never their comment)."""

    session_id: UUID
    episode_id: UUID
    heard: int
    what_i_wanted: int
    way_we_worked: int
    overall: int
    at: datetime


@dataclass(frozen=True)
class ClientHistory:
    tenant_id: str
    client_id: UUID
    episodes: tuple[Episode, ...] = ()
    participants: tuple[ParticipantChange, ...] = ()
    goal_events: tuple[GoalEvent, ...] = ()
    versions: tuple[GoalVersion, ...] = ()
    entries: tuple[Entry, ...] = ()
    decisions: tuple[ProgressDecision, ...] = ()
    questionnaires: tuple[Questionnaire, ...] = ()
    safety_signals: tuple[SafetySignal, ...] = ()
    notifications: tuple[NotificationOutcome, ...] = field(default=())
    divergences: tuple[DivergenceChange, ...] = ()
    feedback: tuple[SessionFeedback, ...] = ()
