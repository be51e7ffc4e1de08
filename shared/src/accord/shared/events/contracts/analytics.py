"""Events of the pseudonymised analytics stream (topic accord.analytics.v1, keyed by client pseudonym).

The reporting service derives one of these from every domain event: `AnalyticsGoalAgreed` from `GoalAgreed`, and
so on. Every identifier of a person or a record is a keyed pseudonym (a tenant's secret for a key period, named by
`key_period`), every instant is cut to its UTC date, and fields that could single someone out are left out; what is
kept and why: services/reporting/README.md.
"""

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from accord.shared.events.base import IntegrationEvent
from accord.shared.events.contracts.common import (
    Direction,
    Instrument,
    MeasureKind,
    MilestoneKind,
    Role,
    Score,
    Visibility,
)
from accord.shared.events.contracts.goals import Decision, GoalOutcome
from accord.shared.events.contracts.notifications import Channel
from accord.shared.events.contracts.progress import AchievementStatus, ReviewReason

PSEUDONYM_PATTERN = r"^[0-9a-f]{32}$"

Pseudonym = Annotated[str, Field(min_length=32, max_length=32, pattern=PSEUDONYM_PATTERN)]
"""128 bits of HMAC-SHA256 under the tenant's key of the period, in hex. The same person or record has the same
pseudonym throughout a key period of a tenant, and an unrelated one under any other key."""


class AnalyticsEvent(IntegrationEvent):
    topic: ClassVar[str] = "accord.analytics.v1"
    key_field: ClassVar[str] = "client_pseudonym"

    client_pseudonym: Pseudonym
    key_period: date
    """The first day of the key period whose key made this event's pseudonyms (never the key itself)."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PseudonymousParty(_Value):
    person_pseudonym: Pseudonym
    role: Role


class PseudonymousMilestone(_Value):
    milestone_pseudonym: Pseudonym
    position: int = Field(ge=1, le=50)
    kind: MilestoneKind


class AnalyticsMeasure(_Value):
    """A goal's measure without its unit code (an open vocabulary, so a rare unit could single a client out)."""

    kind: MeasureKind
    minimum: Score
    maximum: Score
    period_days: int | None = Field(default=None, ge=1, le=366)
    instrument: Instrument | None = None


# Goals


class AnalyticsEpisodeOpened(AnalyticsEvent):
    episode_pseudonym: Pseudonym
    team_pseudonym: Pseudonym
    lead_therapist_pseudonym: Pseudonym
    opened_on: date


class AnalyticsParticipantJoined(AnalyticsEvent):
    """Without the relationship code: a rare family relationship would single a family out."""

    episode_pseudonym: Pseudonym
    person_pseudonym: Pseudonym
    role: Role


class AnalyticsParticipantLeft(AnalyticsEvent):
    episode_pseudonym: Pseudonym
    person_pseudonym: Pseudonym


class AnalyticsEpisodeClosed(AnalyticsEvent):
    episode_pseudonym: Pseudonym
    closed_on: date


class AnalyticsGoalProposed(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    episode_pseudonym: Pseudonym
    version: int = Field(ge=1)
    proposed_by_pseudonym: Pseudonym
    required_parties: tuple[PseudonymousParty, ...]
    visibility: Visibility
    shared_with_pseudonyms: tuple[Pseudonym, ...] = ()


class AnalyticsGoalAgreementRecorded(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    version: int = Field(ge=1)
    party_pseudonym: Pseudonym
    decision: Decision


class AnalyticsGoalAgreed(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    episode_pseudonym: Pseudonym
    version: int = Field(ge=1)
    category_code: str = Field(max_length=40, pattern=r"^[a-z_]+$")
    measure: AnalyticsMeasure
    direction: Direction
    due_date: date
    review_interval_days: int = Field(ge=1, le=366)
    milestones: tuple[PseudonymousMilestone, ...] = ()
    visibility: Visibility
    shared_with_pseudonyms: tuple[Pseudonym, ...] = ()
    parties: tuple[PseudonymousParty, ...]
    proposed_on: date
    agreed_on: date


class AnalyticsGoalRevisionProposed(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    version: int = Field(ge=2)
    proposed_by_pseudonym: Pseudonym
    required_parties: tuple[PseudonymousParty, ...]


class AnalyticsGoalVisibilityChanged(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    visibility: Visibility
    shared_with_pseudonyms: tuple[Pseudonym, ...] = ()


class AnalyticsGoalPaused(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    paused_by_pseudonym: Pseudonym


class AnalyticsGoalResumed(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    resumed_by_pseudonym: Pseudonym


class AnalyticsGoalClosed(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    outcome: GoalOutcome
    closed_on: date


class AnalyticsGoalImportanceRated(AnalyticsEvent):
    """That a party answered, by role; never the answer (importance and ownership are the party's own view)."""

    goal_pseudonym: Pseudonym
    episode_pseudonym: Pseudonym
    version: int = Field(ge=1)
    party: Role
    occurred_on: date


class AnalyticsAlignmentDivergenceRaised(AnalyticsEvent):
    """Without the spread: it is made of the parties' answers."""

    goal_pseudonym: Pseudonym
    episode_pseudonym: Pseudonym
    version: int = Field(ge=1)
    threshold: int = Field(ge=1, le=10)


class AnalyticsAlignmentDivergenceResolved(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    episode_pseudonym: Pseudonym
    version: int = Field(ge=1)


# Progress


class AnalyticsProgressRecorded(AnalyticsEvent):
    entry_pseudonym: Pseudonym
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    occurred_on: date
    recorded_by_pseudonym: Pseudonym
    recorded_by_role: Role


class AnalyticsGoalRatingRecorded(AnalyticsEvent):
    entry_pseudonym: Pseudonym
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    occurred_on: date
    recorded_by_pseudonym: Pseudonym
    recorded_by_role: Role


class AnalyticsMilestoneChecked(AnalyticsEvent):
    entry_pseudonym: Pseudonym
    goal_pseudonym: Pseudonym
    milestone_pseudonym: Pseudonym
    occurred_on: date
    recorded_by_pseudonym: Pseudonym


class AnalyticsQuestionnaireCompleted(AnalyticsEvent):
    response_pseudonym: Pseudonym
    instrument: Instrument
    occurred_on: date
    episode_pseudonym: Pseudonym | None = None
    """The care episode it was completed for; None when the domain event named none."""


class AnalyticsMilestoneReached(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    milestone_pseudonym: Pseudonym
    entry_pseudonym: Pseudonym
    reached_on: date


class AnalyticsGoalTargetReached(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    entry_pseudonym: Pseudonym
    reached_on: date


class AnalyticsAchievementStatusChanged(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    status: AchievementStatus
    previous: AchievementStatus | None = None
    changed_on: date


class AnalyticsReviewSuggested(AnalyticsEvent):
    goal_pseudonym: Pseudonym
    goal_version: int = Field(ge=1)
    reason: ReviewReason
    suggested_on: date


class AnalyticsSafetySignalRaised(AnalyticsEvent):
    signal_pseudonym: Pseudonym
    source_pseudonym: Pseudonym
    """The questionnaire response that raised it: its `response_pseudonym`."""
    instrument: Instrument
    raised_on: date


class AnalyticsSessionHeld(AnalyticsEvent):
    episode_pseudonym: Pseudonym
    session_pseudonym: Pseudonym
    held_on: date
    held_by_pseudonym: Pseudonym


class AnalyticsFeedbackCheckScheduled(AnalyticsEvent):
    """A feedback check sent because no session was marked held for a while (response rates, against the ones given)."""

    episode_pseudonym: Pseudonym
    session_pseudonym: Pseudonym
    scheduled_on: date


class AnalyticsSessionFeedbackGiven(AnalyticsEvent):
    """That feedback was given, never what it said: the scores are health data, the comment never leaves progress."""

    episode_pseudonym: Pseudonym
    session_pseudonym: Pseudonym
    occurred_on: date


# Notifications


class AnalyticsNotificationDelivered(AnalyticsEvent):
    notification_pseudonym: Pseudonym
    source_event_id: UUID
    """The `event_id` of the analytics event derived from the event this notification was about."""
    recipient_pseudonym: Pseudonym
    channel: Channel
    template_code: str = Field(max_length=60, pattern=r"^[a-z_]+$")
    delivered_on: date


class AnalyticsNotificationFailed(AnalyticsEvent):
    notification_pseudonym: Pseudonym
    source_event_id: UUID
    """The `event_id` of the analytics event derived from the event this notification was about."""
    recipient_pseudonym: Pseudonym
    channel: Channel
    template_code: str = Field(max_length=60, pattern=r"^[a-z_]+$")
    permanent: bool
    failed_on: date
