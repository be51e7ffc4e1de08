"""Request and response bodies of sessions and their feedback."""

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, StringConstraints

from accord.progress.domain.feedback import COMMENT_LIMIT, SCALE_MAX, FeedbackInstrument, Trend
from accord.shared.inputs import Instant, RequestModel, StrictInt, Text

ItemKey = Annotated[str, StringConstraints(max_length=40)]


class SessionCreate(RequestModel):
    session_id: UUID = Field(default_factory=uuid4, description="client-supplied, so a resend is a no-op")
    held_at: Instant | None = Field(default=None, description="when the session was held; now if left out")


class SessionPublic(BaseModel):
    session_id: UUID
    episode_id: UUID
    held_at: datetime


class FeedbackCreate(RequestModel):
    scores: dict[ItemKey, StrictInt] = Field(
        min_length=1,
        max_length=20,
        description=f"each question's key -> its answer, 0 to {SCALE_MAX}; every question of the instrument",
    )
    comment: str | None = Text(
        COMMENT_LIMIT,
        multiline=True,
        default=None,
        description="private: seen by the young person and their therapist only; never in an event or a message",
    )
    occurred_at: Instant | None = Field(default=None, description="when it was answered; now if left out")


class FeedbackPublic(BaseModel):
    scores: dict[str, int]
    comment: str | None
    answered_at: datetime
    instrument: str
    mean: float = Field(description="the mean answer, 0-10: the trend's point")


class SessionWithFeedback(BaseModel):
    session_id: UUID
    held_at: datetime
    scheduled: bool = Field(
        default=False,
        description="a scheduled check (no session was marked held for a while), asked at `held_at`; not a session",
    )
    feedback: FeedbackPublic | None = Field(description="null until the young person answers")


class SessionFeedbackPublic(BaseModel):
    episode_id: UUID
    instrument: FeedbackInstrument
    sessions: list[SessionWithFeedback] = Field(description="the latest sessions, oldest first")
    trend: Trend | None = Field(
        description="the latest answered session against the ones before it; null until two are answered"
    )
