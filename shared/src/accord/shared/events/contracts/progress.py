"""Events of the progress service (topic accord.progress.v1, keyed by client)."""

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from accord.shared.events.base import ClientEvent, UtcDatetime
from accord.shared.events.contracts.common import Instrument, Role, Score


class ProgressEvent(ClientEvent):
    topic: ClassVar[str] = "accord.progress.v1"


class AchievementStatus(StrEnum):
    """FHIR R4 Goal.achievementStatus."""

    IN_PROGRESS = "in-progress"
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no-change"
    ACHIEVED = "achieved"
    SUSTAINING = "sustaining"
    NOT_ACHIEVED = "not-achieved"
    NO_PROGRESS = "no-progress"
    NOT_ATTAINABLE = "not-attainable"


class ReviewReason(StrEnum):
    NO_RECENT_ENTRY = "no_recent_entry"
    WORSENING = "worsening"
    PAST_DUE = "past_due"


class Severity(StrEnum):
    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"


class ProgressRecorded(ProgressEvent):
    entry_id: UUID
    goal_id: UUID
    goal_version: int = Field(ge=1)
    value: Score
    occurred_at: UtcDatetime
    recorded_by: UUID
    recorded_by_role: Role


class GoalRatingRecorded(ProgressEvent):
    entry_id: UUID
    goal_id: UUID
    goal_version: int = Field(ge=1)
    rating: int = Field(ge=0, le=10)
    occurred_at: UtcDatetime
    recorded_by: UUID
    recorded_by_role: Role


class MilestoneChecked(ProgressEvent):
    entry_id: UUID
    goal_id: UUID
    milestone_id: UUID
    occurred_at: UtcDatetime
    recorded_by: UUID


class QuestionnaireCompleted(ProgressEvent):
    """Scores and bands only: the item answers stay in the progress service."""

    response_id: UUID
    instrument: Instrument
    total: int = Field(ge=0, le=27)
    severity: Severity
    occurred_at: UtcDatetime
    episode_id: UUID | None = None
    """The care episode it was completed for (its therapists alone see the score); None on events published before
    responses named one."""


class MilestoneReached(ProgressEvent):
    goal_id: UUID
    goal_version: int = Field(ge=1)
    milestone_id: UUID
    entry_id: UUID
    reached_at: UtcDatetime


class GoalTargetReached(ProgressEvent):
    goal_id: UUID
    goal_version: int = Field(ge=1)
    entry_id: UUID
    reached_at: UtcDatetime


class AchievementStatusChanged(ProgressEvent):
    goal_id: UUID
    goal_version: int = Field(ge=1)
    status: AchievementStatus
    previous: AchievementStatus | None = None
    changed_at: UtcDatetime


class ReviewSuggested(ProgressEvent):
    """For clinicians only: a prompt to review a goal together, never a reproach to the client."""

    goal_id: UUID
    goal_version: int = Field(ge=1)
    reason: ReviewReason
    suggested_at: UtcDatetime


class SafetySignalRaised(ProgressEvent):
    signal_id: UUID
    source_id: UUID
    instrument: Instrument
    raised_at: UtcDatetime


class ProgressExportPartStored(ProgressEvent):
    """The progress service's part of export `export_id` is stored and can be downloaded (ids and counts only:
    the part itself stays in this service's database)."""

    export_id: UUID
    records: int = Field(ge=0)


class ProgressErasureApplied(ProgressEvent):
    """The progress service applied erasure request `request_id` to the client's records (ids only)."""

    request_id: UUID


class ProgressRestrictionLiftApplied(ProgressEvent):
    """The progress service ended its restriction of the client's records that erasure request `request_id` put in
    place (`RestrictionLifted`), ids only."""

    request_id: UUID


class ProgressEpisodeRecordsRemoved(ProgressEvent):
    """The progress service removed its records of episode `episode_id`, whose clinical retention period is over
    (`EpisodeRecordsExpired`), ids only."""

    episode_id: UUID


class SessionHeld(ProgressEvent):
    """The therapist marked a session of the episode as held: the young person is invited to a feedback check."""

    episode_id: UUID
    session_id: UUID
    held_at: UtcDatetime
    held_by: UUID


class FeedbackCheckScheduled(ProgressEvent):
    """The episode has had no session marked for the tenant's interval: the young person is invited to the feedback
    check all the same (a session of its own, `session_id`, that no therapist held)."""

    episode_id: UUID
    session_id: UUID
    scheduled_at: UtcDatetime


FeedbackKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class SessionFeedbackGiven(ProgressEvent):
    """The young person's answers to the session feedback check, each 0-10 under the instrument's item keys.
    Never the comment: that stays in the progress service, for the young person and their therapist alone."""

    episode_id: UUID
    session_id: UUID
    scores: dict[FeedbackKey, Annotated[int, Field(ge=0, le=10)]] = Field(
        min_length=1,
        max_length=20,
        description="item key -> 0-10 answer, under the tenant's feedback instrument",
        examples=[{"heard": 8, "what_i_wanted": 7, "way_we_worked": 9, "overall": 8}],
    )
    occurred_at: UtcDatetime


class FeedbackConcern(StrEnum):
    LOW = "low"
    FALLING = "falling"


class SessionFeedbackConcernRaised(ProgressEvent):
    """For the episode's therapists only: the young person's session feedback is low, or falling, a prompt to talk
    at the next session about how the sessions are going. Never a score of anyone, and never the answers or the
    comment: which concern it is, and the session it came from. Raised once per feedback answer that shows it."""

    episode_id: UUID
    session_id: UUID
    concern: FeedbackConcern
    raised_at: UtcDatetime
