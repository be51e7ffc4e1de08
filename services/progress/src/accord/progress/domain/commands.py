"""Commands: what a person asks the progress service to do."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from accord.progress.domain.feedback import FeedbackInstrument
from accord.shared.events.contracts.common import Instrument


class EntryKind(StrEnum):
    MEASUREMENT = "measurement"  # a value on the goal's own measure, e.g. panic attacks this week
    RATING = "rating"  # a 0-10 goal rating (Goal-Based Outcomes)
    MILESTONE_CHECK = "milestone_check"  # an action milestone ticked off


@dataclass(frozen=True)
class RecordEntry:
    goal_id: UUID
    entry_id: UUID
    kind: EntryKind
    occurred_at: datetime
    value: float | None = None
    milestone_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True)
class CheckIn:
    checkin_id: UUID
    mood: int
    occurred_at: datetime
    text: str | None
    share_with_therapist: bool


@dataclass(frozen=True)
class ShareCheckIn:
    checkin_id: UUID
    shared: bool


@dataclass(frozen=True)
class CompleteQuestionnaire:
    response_id: UUID
    instrument: Instrument
    answers: list[int]
    occurred_at: datetime
    episode_id: UUID | None = None


@dataclass(frozen=True)
class HoldSession:
    episode_id: UUID
    session_id: UUID
    held_at: datetime


@dataclass(frozen=True)
class GiveSessionFeedback:
    episode_id: UUID
    session_id: UUID
    scores: dict[str, int]
    comment: str | None
    occurred_at: datetime
    instrument: FeedbackInstrument
    """The tenant's instrument, as the API found it in the settings."""
    low_below: int
    """The tenant's line under which an overall answer is low (`Settings.low_below`)."""
