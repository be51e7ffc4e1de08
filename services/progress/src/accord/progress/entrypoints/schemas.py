"""Request and response bodies of the progress API."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, Field

from accord.progress.domain.commands import EntryKind
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.progress import AchievementStatus, Severity

NOTE = 2000


class EntryCreate(BaseModel):
    entry_id: UUID = Field(default_factory=uuid4, description="client-supplied, so a resend is a no-op")
    kind: EntryKind
    value: float | None = Field(default=None, ge=-1000, le=1000)
    milestone_id: UUID | None = None
    occurred_at: AwareDatetime
    note: str | None = Field(default=None, max_length=NOTE, description="private to whoever records it")


class BatchItem(EntryCreate):
    goal_id: UUID


class BatchCreate(BaseModel):
    entries: list[BatchItem] = Field(min_length=1)


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
    entry_id: UUID
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


class CheckInCreate(BaseModel):
    checkin_id: UUID = Field(default_factory=uuid4)
    mood: int = Field(ge=0, le=10)
    text: str | None = Field(default=None, max_length=NOTE, description="a journal entry, private unless shared")
    share_with_therapist: bool = False
    occurred_at: AwareDatetime


class CheckInSharing(BaseModel):
    shared: bool


class CheckInPublic(BaseModel):
    checkin_id: UUID
    mood: int
    text: str | None
    shared_with_therapist: bool
    occurred_at: datetime


class QuestionnaireCreate(BaseModel):
    response_id: UUID = Field(default_factory=uuid4)
    instrument: Instrument
    answers: list[int] = Field(min_length=1, max_length=9)
    occurred_at: AwareDatetime


class QuestionnairePublic(BaseModel):
    response_id: UUID
    instrument: Instrument
    total: int
    severity: Severity
    occurred_at: datetime
    support_offered: bool = Field(default=False, description="true when the app should show where to find help now")
