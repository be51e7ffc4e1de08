"""A domain event in, its analytics event out: the whole message, pure and deterministic.

Deterministic so that a redelivered domain event gives the very same analytics message (same `event_id`), which
analytics consumers deduplicate by. The key is chosen by the UTC date the domain event occurred on; the envelope
keeps that date only (midnight UTC), and its ids (event, correlation, causation) are pseudonymised like the rest, so
a chain of cause and effect can still be followed within the stream but not joined back to the domain topics.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

from accord.reporting.analytics import from_goals as fg
from accord.reporting.analytics import from_notifications as fn
from accord.reporting.analytics import from_progress as fp
from accord.reporting.analytics.keys import Keyring
from accord.reporting.analytics.pseudonyms import Naming, PersonsNamed, Pseudonyms
from accord.reporting.domain.rights import RECORD_KEEPING_EVENTS, RIGHTS_EVENTS
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts import notifications as n
from accord.shared.events.contracts import progress as p
from accord.shared.events.contracts.analytics import AnalyticsEvent

Mapper = Callable[[Any, Pseudonyms], AnalyticsEvent]

_BY_SOURCE: list[tuple[type[ClientEvent], Mapper]] = [
    (g.EpisodeOpened, fg.episode_opened),
    (g.ParticipantJoined, fg.participant_joined),
    (g.ParticipantLeft, fg.participant_left),
    (g.EpisodeClosed, fg.episode_closed),
    (g.GoalProposed, fg.goal_proposed),
    (g.GoalAgreementRecorded, fg.goal_agreement_recorded),
    (g.GoalAgreed, fg.goal_agreed),
    (g.GoalRevisionProposed, fg.goal_revision_proposed),
    (g.GoalVisibilityChanged, fg.goal_visibility_changed),
    (g.GoalPaused, fg.goal_paused),
    (g.GoalResumed, fg.goal_resumed),
    (g.GoalClosed, fg.goal_closed),
    (g.GoalImportanceRated, fg.goal_importance_rated),
    (g.AlignmentDivergenceRaised, fg.alignment_divergence_raised),
    (g.AlignmentDivergenceResolved, fg.alignment_divergence_resolved),
    (p.ProgressRecorded, fp.progress_recorded),
    (p.GoalRatingRecorded, fp.goal_rating_recorded),
    (p.MilestoneChecked, fp.milestone_checked),
    (p.QuestionnaireCompleted, fp.questionnaire_completed),
    (p.MilestoneReached, fp.milestone_reached),
    (p.GoalTargetReached, fp.goal_target_reached),
    (p.AchievementStatusChanged, fp.achievement_status_changed),
    (p.ReviewSuggested, fp.review_suggested),
    (p.SafetySignalRaised, fp.safety_signal_raised),
    (p.SessionHeld, fp.session_held),
    (p.FeedbackCheckScheduled, fp.feedback_check_scheduled),
    (p.SessionFeedbackGiven, fp.session_feedback_given),
    (n.NotificationDelivered, fn.notification_delivered),
    (n.NotificationFailed, fn.notification_failed),
]

# A person using their rights (access, erasure) is not a fact about their care: these events never reach analytics.
# Nor does a feedback concern: it is worked out from the young person's answers, which analytics never carries.
NOT_FOR_ANALYTICS = RIGHTS_EVENTS | RECORD_KEEPING_EVENTS | {"SessionFeedbackConcernRaised"}

MAPPERS: dict[str, Mapper] = {cls.event_type(): mapper for cls, mapper in _BY_SOURCE}
"""Domain event type -> the function that makes its analytics event (`AnalyticsGoalAgreed` of `GoalAgreed`)."""


def persons_named(source: Envelope, event: ClientEvent, keys: Keyring) -> set[UUID]:
    """The people whose own material `analytics_envelope` needs: the client and everyone the event names."""
    named = PersonsNamed()
    named[event.client_id] = b""
    MAPPERS[source.event_type](
        event, Naming(keys.key_for(source.tenant_id, source.occurred_at.date()), event.client_id, named)
    )
    return set(named)


def analytics_envelope(
    source: Envelope, event: ClientEvent, keys: Keyring, person_keys: Mapping[UUID, bytes], *, producer: str
) -> Envelope:
    """`person_keys`: the material of every person in `persons_named` (adapters/person_keys.py)."""
    day = source.occurred_at.date()
    pseudonyms = Pseudonyms(keys.key_for(source.tenant_id, day), event.client_id, person_keys)
    derived = MAPPERS[source.event_type](event, pseudonyms)
    event_id = pseudonyms.event_id(source.event_id)
    # The first event of a chain is its own correlation id (Envelope.wrap): the same pseudonym, made once.
    same = {source.event_id: event_id}
    return Envelope.wrap(
        derived,
        producer=producer,
        tenant_id=source.tenant_id,
        event_id=event_id,
        correlation_id=same.get(source.correlation_id) or pseudonyms.event_id(source.correlation_id),
        causation_id=None if source.causation_id is None else pseudonyms.event_id(source.causation_id),
        occurred_at=datetime.combine(day, time(), UTC),
    )
