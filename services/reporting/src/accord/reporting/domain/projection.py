"""What each consumed event adds to the projections: rows of fact tables, keyed by the fact's own id.

The live consumer and the rebuild both turn events into rows with `rows_for`, so they cannot disagree. Rows are
inserted with ON CONFLICT DO NOTHING and never updated, which makes every projection indifferent to duplicates and
to the order of arrival; a goal's status and every figure are derived from the facts when they are read.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from accord.reporting.domain.rights import RECORD_KEEPING_EVENTS, RIGHTS_EVENTS
from accord.shared.events import Envelope
from accord.shared.events.base import IntegrationEvent
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts import notifications as n
from accord.shared.events.contracts import progress as p
from accord.shared.events.contracts.common import Party
from accord.shared.events.registry import EVENTS

Answer = Annotated[int, Field(ge=0, le=10, strict=True)]

TABLES: dict[str, tuple[str, ...]] = {
    "episodes": ("episode_id", "tenant_id", "client_id", "team_id", "lead_therapist_id", "opened_at"),
    "episode_closures": ("episode_id", "tenant_id", "client_id", "closed_at"),
    "participant_changes": (
        *("event_id", "tenant_id", "client_id", "episode_id", "person_id", "role", "joined", "changed_at"),
    ),
    "goal_events": (
        *("event_id", "tenant_id", "client_id", "goal_id", "event_type", "version", "episode_id", "party_id"),
        *("decision", "parties", "visibility", "shared_with", "outcome", "occurred_at"),
    ),
    "goal_versions": (
        *("goal_id", "version", "tenant_id", "client_id", "episode_id", "category_code", "measure", "baseline"),
        *("target", "direction", "due_date", "review_interval_days", "milestones", "visibility", "shared_with"),
        *("parties", "proposed_at", "agreed_at"),
    ),
    "entries": (
        *("entry_id", "tenant_id", "client_id", "goal_id", "goal_version", "kind", "value", "milestone_id"),
        *("occurred_at", "recorded_by", "recorded_by_role"),
    ),
    "progress_decisions": (
        *("event_id", "tenant_id", "client_id", "goal_id", "goal_version", "kind", "milestone_id", "detail"),
        "occurred_at",
    ),
    "questionnaires": (
        *("response_id", "tenant_id", "client_id", "instrument", "total", "severity", "occurred_at"),
        "episode_id",
    ),
    "safety_signals": ("signal_id", "event_id", "tenant_id", "client_id", "source_id", "instrument", "raised_at"),
    "notification_outcomes": (
        *("event_id", "tenant_id", "client_id", "notification_id", "source_event_id", "recipient_id", "channel"),
        *("template_code", "delivered", "permanent", "occurred_at"),
    ),
    "alignment_divergences": (
        *("event_id", "tenant_id", "client_id", "goal_id", "episode_id", "version", "raised", "occurred_at"),
    ),
    "session_feedback": (
        *("event_id", "tenant_id", "client_id", "episode_id", "session_id", "heard", "what_i_wanted"),
        *("way_we_worked", "overall", "occurred_at"),
    ),
}
"""Projection table -> its columns, in the order `rows_for` gives values."""


@dataclass(frozen=True)
class Row:
    table: str
    values: tuple[Any, ...]


def _parties(parties: Sequence[Party]) -> str:
    return json.dumps([{"person_id": str(x.person_id), "role": x.role.value} for x in parties])


def _goal_event(env: Envelope, e: Any, at: Any, **columns: Any) -> Row:
    """A row of a goal's history; the columns an event type does not set stay NULL."""
    optional = TABLES["goal_events"][5:-1]
    values = {column: columns.get(column) for column in optional}
    return Row(
        "goal_events", (env.event_id, env.tenant_id, e.client_id, e.goal_id, env.event_type, *values.values(), at)
    )


def _episode_opened(env: Envelope, e: g.EpisodeOpened) -> list[Row]:
    return [Row("episodes", (e.episode_id, env.tenant_id, e.client_id, e.team_id, e.lead_therapist_id, e.opened_at))]


def _episode_closed(env: Envelope, e: g.EpisodeClosed) -> list[Row]:
    return [Row("episode_closures", (e.episode_id, env.tenant_id, e.client_id, e.closed_at))]


def _participant_joined(env: Envelope, e: g.ParticipantJoined) -> list[Row]:
    values = (env.event_id, env.tenant_id, e.client_id, e.episode_id, e.person_id, e.role.value, True, env.occurred_at)
    return [Row("participant_changes", values)]


def _participant_left(env: Envelope, e: g.ParticipantLeft) -> list[Row]:
    values = (env.event_id, env.tenant_id, e.client_id, e.episode_id, e.person_id, None, False, env.occurred_at)
    return [Row("participant_changes", values)]


def _goal_proposed(env: Envelope, e: g.GoalProposed) -> list[Row]:
    parties, shared = _parties(e.required_parties), list(e.shared_with)
    return [
        _goal_event(
            env,
            e,
            env.occurred_at,
            version=e.version,
            episode_id=e.episode_id,
            party_id=e.proposed_by,
            parties=parties,
            visibility=e.visibility.value,
            shared_with=shared,
        )
    ]


def _revision_proposed(env: Envelope, e: g.GoalRevisionProposed) -> list[Row]:
    parties = _parties(e.required_parties)
    return [_goal_event(env, e, env.occurred_at, version=e.version, party_id=e.proposed_by, parties=parties)]


def _agreement_recorded(env: Envelope, e: g.GoalAgreementRecorded) -> list[Row]:
    decision = e.decision.value
    return [_goal_event(env, e, env.occurred_at, version=e.version, party_id=e.party_id, decision=decision)]


def _goal_agreed(env: Envelope, e: g.GoalAgreed) -> list[Row]:
    tenant, parties, shared = env.tenant_id, _parties(e.parties), list(e.shared_with)
    milestones = json.dumps([m.model_dump(mode="json") for m in e.milestones])
    version = (
        *(e.goal_id, e.version, tenant, e.client_id, e.episode_id, e.category_code, e.measure.model_dump_json()),
        *(e.baseline, e.target, e.direction.value, e.due_date, e.review_interval_days, milestones),
        *(e.visibility.value, shared, parties, e.proposed_at, e.agreed_at),
    )
    history = _goal_event(
        env,
        e,
        e.agreed_at,
        version=e.version,
        episode_id=e.episode_id,
        parties=parties,
        visibility=e.visibility.value,
        shared_with=shared,
    )
    return [Row("goal_versions", version), history]


def _visibility_changed(env: Envelope, e: g.GoalVisibilityChanged) -> list[Row]:
    shared = list(e.shared_with)
    return [_goal_event(env, e, env.occurred_at, visibility=e.visibility.value, shared_with=shared)]


def _goal_paused(env: Envelope, e: g.GoalPaused) -> list[Row]:
    return [_goal_event(env, e, env.occurred_at, party_id=e.paused_by)]


def _goal_resumed(env: Envelope, e: g.GoalResumed) -> list[Row]:
    return [_goal_event(env, e, env.occurred_at, party_id=e.resumed_by)]


def _goal_closed(env: Envelope, e: g.GoalClosed) -> list[Row]:
    return [_goal_event(env, e, e.closed_at, outcome=e.outcome.value)]


def _entry(env: Envelope, e: Any, kind: str, value: float | None, version: int | None, milestone: Any) -> Row:
    role = getattr(e, "recorded_by_role", None)
    values = (e.entry_id, env.tenant_id, e.client_id, e.goal_id, version, kind, value, milestone, e.occurred_at)
    return Row("entries", (*values, e.recorded_by, role.value if role else None))


def _progress_recorded(env: Envelope, e: p.ProgressRecorded) -> list[Row]:
    return [_entry(env, e, "value", e.value, e.goal_version, None)]


def _rating_recorded(env: Envelope, e: p.GoalRatingRecorded) -> list[Row]:
    return [_entry(env, e, "rating", float(e.rating), e.goal_version, None)]


def _milestone_checked(env: Envelope, e: p.MilestoneChecked) -> list[Row]:
    return [_entry(env, e, "milestone_check", None, None, e.milestone_id)]


def _decision(env: Envelope, e: Any, kind: str, at: Any, milestone: Any = None, detail: str | None = None) -> Row:
    values = (env.event_id, env.tenant_id, e.client_id, e.goal_id, e.goal_version, kind, milestone, detail, at)
    return Row("progress_decisions", values)


def _milestone_reached(env: Envelope, e: p.MilestoneReached) -> list[Row]:
    return [_decision(env, e, "milestone_reached", e.reached_at, milestone=e.milestone_id)]


def _target_reached(env: Envelope, e: p.GoalTargetReached) -> list[Row]:
    return [_decision(env, e, "target_reached", e.reached_at)]


def _status_changed(env: Envelope, e: p.AchievementStatusChanged) -> list[Row]:
    return [_decision(env, e, "status_changed", e.changed_at, detail=e.status.value)]


def _review_suggested(env: Envelope, e: p.ReviewSuggested) -> list[Row]:
    return [_decision(env, e, "review_suggested", e.suggested_at, detail=e.reason.value)]


def _questionnaire(env: Envelope, e: p.QuestionnaireCompleted) -> list[Row]:
    values = (e.response_id, env.tenant_id, e.client_id, e.instrument.value, e.total, e.severity.value, e.occurred_at)
    return [Row("questionnaires", (*values, e.episode_id))]


def _safety_signal(env: Envelope, e: p.SafetySignalRaised) -> list[Row]:
    values = (e.signal_id, env.event_id, env.tenant_id, e.client_id, e.source_id, e.instrument.value, e.raised_at)
    return [Row("safety_signals", values)]


def _notification(env: Envelope, e: Any, delivered: bool, permanent: bool | None, at: Any) -> list[Row]:
    values = (env.event_id, env.tenant_id, e.client_id, e.notification_id, e.source_event_id, e.recipient_id)
    return [Row("notification_outcomes", (*values, e.channel.value, e.template_code, delivered, permanent, at))]


def _delivered(env: Envelope, e: n.NotificationDelivered) -> list[Row]:
    return _notification(env, e, True, None, e.delivered_at)


def _failed(env: Envelope, e: n.NotificationFailed) -> list[Row]:
    return _notification(env, e, False, e.permanent, e.failed_at)


def _divergence(env: Envelope, e: Any, raised: bool) -> list[Row]:
    values = (env.event_id, env.tenant_id, e.client_id, e.goal_id, e.episode_id, e.version, raised, env.occurred_at)
    return [Row("alignment_divergences", values)]


def _divergence_raised(env: Envelope, e: g.AlignmentDivergenceRaised) -> list[Row]:
    return _divergence(env, e, True)


def _divergence_resolved(env: Envelope, e: g.AlignmentDivergenceResolved) -> list[Row]:
    return _divergence(env, e, False)


class FeedbackScores(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    heard: Answer
    what_i_wanted: Answer
    way_we_worked: Answer
    overall: Answer


class FeedbackGiven(BaseModel):
    """Reporting's reading of `SessionFeedbackGiven` (published by progress): the scores, never a comment."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    client_id: UUID
    episode_id: UUID
    session_id: UUID
    scores: FeedbackScores
    occurred_at: datetime


def session_feedback_rows(env: Envelope) -> list[Row]:
    """Read from the envelope's payload with reporting's own model, so that only the structured scores are kept
    whatever else the event carries."""
    e = FeedbackGiven.model_validate(env.payload)
    s = e.scores
    values = (env.event_id, env.tenant_id, e.client_id, e.episode_id, e.session_id)
    return [Row("session_feedback", (*values, s.heard, s.what_i_wanted, s.way_we_worked, s.overall, e.occurred_at))]


def _session_feedback(env: Envelope, e: Any) -> list[Row]:
    return session_feedback_rows(env)


Projector = Callable[[Envelope, Any], list[Row]]

# A person's rights are no fact about care: an export request has the service store its part (handlers/exports.py),
# an erasure decision restricts the client here; the other services' reports are the goals service's to count.
# A party's own importance answers stay with the goals service; reporting keeps only whether they diverge. A session
# marked held (or a check scheduled) is an invitation to feedback; the figures count the feedback given, and the
# caseload's warnings are worked out from it here (a concern raised by progress is the same rule, there to tell the
# therapist).
NOT_PROJECTED = (
    RIGHTS_EVENTS
    | RECORD_KEEPING_EVENTS
    | {
        "GoalImportanceRated",
        "SessionHeld",
        "FeedbackCheckScheduled",
        "SessionFeedbackConcernRaised",
    }
)
SESSION_FEEDBACK = "SessionFeedbackGiven"

PROJECTORS: dict[str, Projector] = {
    "EpisodeOpened": _episode_opened,
    "EpisodeClosed": _episode_closed,
    "ParticipantJoined": _participant_joined,
    "ParticipantLeft": _participant_left,
    "GoalProposed": _goal_proposed,
    "GoalRevisionProposed": _revision_proposed,
    "GoalAgreementRecorded": _agreement_recorded,
    "GoalAgreed": _goal_agreed,
    "GoalVisibilityChanged": _visibility_changed,
    "GoalPaused": _goal_paused,
    "GoalResumed": _goal_resumed,
    "GoalClosed": _goal_closed,
    "ProgressRecorded": _progress_recorded,
    "GoalRatingRecorded": _rating_recorded,
    "MilestoneChecked": _milestone_checked,
    "MilestoneReached": _milestone_reached,
    "GoalTargetReached": _target_reached,
    "AchievementStatusChanged": _status_changed,
    "ReviewSuggested": _review_suggested,
    "QuestionnaireCompleted": _questionnaire,
    "SafetySignalRaised": _safety_signal,
    "NotificationDelivered": _delivered,
    "NotificationFailed": _failed,
    "AlignmentDivergenceRaised": _divergence_raised,
    "AlignmentDivergenceResolved": _divergence_resolved,
}
if SESSION_FEEDBACK in EVENTS:  # published by progress once the session feedback lands there
    PROJECTORS[SESSION_FEEDBACK] = _session_feedback


def rows_for(envelope: Envelope, event: IntegrationEvent) -> list[Row]:
    """The projection rows an event adds; none for an event type reporting does not keep."""
    projector = PROJECTORS.get(envelope.event_type)
    return projector(envelope, event) if projector else []
