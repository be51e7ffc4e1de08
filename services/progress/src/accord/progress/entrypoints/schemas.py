"""Request and response bodies of the progress API."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic.json_schema import SkipJsonSchema

from accord.progress.domain.commands import EntryKind
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.progress import AchievementStatus, Severity
from accord.shared.inputs import Instant, Integer, Number, RequestModel, StrictBool, StrictInt, Text
from accord.shared.problems import field_errors

NOTE = 2000


class EntryCreate(RequestModel):
    entry_id: UUID = Field(default_factory=uuid4, description="client-supplied, so a resend is a no-op")
    kind: EntryKind
    value: float | None = Number(ge=-1000, le=1000, default=None)
    milestone_id: UUID | None = None
    occurred_at: Instant
    note: str | None = Text(NOTE, multiline=True, default=None, description="private to whoever records it")


class BatchItem(EntryCreate):
    goal_id: UUID


class RefusedItem(RequestModel):
    """An item of a batch that is not a valid entry: answered as rejected on its own, never sent by a client."""

    entry_id: UUID | None
    errors: list[dict[str, str]]


def _item_or_refusal(value: Any, _handler: ValidatorFunctionWrapHandler) -> "BatchItem | RefusedItem":
    # An app that was offline sends what it kept; one item it got wrong must not hold back the others.
    try:
        return BatchItem.model_validate(value)
    except ValidationError as exc:
        entry_id = value.get("entry_id") if isinstance(value, dict) else None
        try:
            known = UUID(entry_id) if isinstance(entry_id, str) else None
        except ValueError:
            known = None
        return RefusedItem(entry_id=known, errors=field_errors(exc.errors()))


BatchEntry = Annotated[BatchItem | SkipJsonSchema[RefusedItem], WrapValidator(_item_or_refusal)]


class BatchCreate(RequestModel):
    entries: list[BatchEntry] = Field(
        min_length=1, description="each item is validated on its own: an invalid one is answered as rejected"
    )


class EntryPublic(BaseModel):
    entry_id: UUID
    goal_id: UUID
    goal_version: int
    kind: EntryKind
    value: float | None
    milestone_id: UUID | None
    occurred_at: datetime
    recorded_by: UUID
    recorded_by_role: str
    note: str | None = Field(description="shown only to the person who recorded it")
    duplicate: bool = False

    @classmethod
    def of(cls, row: Any, viewer: UUID, duplicate: bool = False) -> "EntryPublic":
        values = {k: row[k] for k in cls.model_fields if k not in ("note", "duplicate")}
        return cls(**values, note=row["note"] if row["recorded_by"] == viewer else None, duplicate=duplicate)


class BatchResult(BaseModel):
    entry_id: UUID | None = Field(description="null only for a rejected item without a valid entry_id")
    status: str = Field(description="created, duplicate or rejected")
    entry: EntryPublic | None = None
    problem: dict[str, Any] | None = None


class BatchPublic(BaseModel):
    results: list[BatchResult]


class MilestonePublic(BaseModel):
    milestone_id: UUID
    position: int
    kind: str
    threshold: float | None
    reached_at: datetime | None


class PointPublic(BaseModel):
    entry_id: UUID
    value: float
    occurred_at: datetime


class GoalProgressPublic(BaseModel):
    goal_id: UUID
    goal_version: int
    status: str
    achievement_status: AchievementStatus
    baseline: float
    target: float
    direction: str
    latest: float | None
    change: float | None
    percent_to_target: float | None
    trend: str | None
    reliable_change: str | None
    target_reached_at: datetime | None
    milestones: list[MilestonePublic]
    series: list[PointPublic] = Field(description="the latest 100 points, in time order; every entry is at /entries")


class CheckInCreate(RequestModel):
    checkin_id: UUID = Field(default_factory=uuid4)
    mood: int = Integer(ge=0, le=10)
    text: str | None = Text(NOTE, multiline=True, default=None, description="a journal entry, private unless shared")
    share_with_therapist: StrictBool = False
    occurred_at: Instant


class CheckInSharing(RequestModel):
    shared: StrictBool


class CheckInPublic(BaseModel):
    checkin_id: UUID
    mood: int
    text: str | None
    shared_with_therapist: bool
    occurred_at: datetime


class QuestionnaireCreate(RequestModel):
    response_id: UUID = Field(default_factory=uuid4)
    instrument: Instrument
    answers: list[StrictInt] = Field(min_length=1, max_length=9)
    occurred_at: Instant
    episode_id: UUID | None = Field(
        default=None,
        description="the care episode it is completed for; required when the client has more than one open episode"
        " (its therapists, and only they, see the result)",
    )


class QuestionnairePublic(BaseModel):
    response_id: UUID
    instrument: Instrument
    total: int
    severity: Severity
    occurred_at: datetime
    support_offered: bool = Field(default=False, description="true when the app should show where to find help now")
