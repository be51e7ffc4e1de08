"""Events of the goals service (topic accord.goals.v1, keyed by client)."""

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from accord.shared.events.base import ClientEvent, IntegrationEvent, UtcDatetime
from accord.shared.events.contracts.common import (
    Direction,
    Measure,
    MilestoneSpec,
    Party,
    Role,
    Score,
    Visibility,
)


class GoalsEvent(ClientEvent):
    topic: ClassVar[str] = "accord.goals.v1"


class Decision(StrEnum):
    AGREE = "agree"
    DECLINE = "decline"


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant"
    REPLACED = "replaced"


class EpisodeOpened(GoalsEvent):
    episode_id: UUID
    team_id: UUID
    lead_therapist_id: UUID
    opened_at: UtcDatetime


class ParticipantJoined(GoalsEvent):
    episode_id: UUID
    person_id: UUID
    role: Role
    relationship_code: str | None = Field(default=None, max_length=30, pattern=r"^[a-z_]+$")


class ParticipantLeft(GoalsEvent):
    episode_id: UUID
    person_id: UUID


class EpisodeClosed(GoalsEvent):
    episode_id: UUID
    closed_at: UtcDatetime


class GoalProposed(GoalsEvent):
    goal_id: UUID
    episode_id: UUID
    version: int = Field(ge=1)
    proposed_by: UUID
    required_parties: tuple[Party, ...]
    visibility: Visibility
    shared_with: tuple[UUID, ...] = ()


class GoalAgreementRecorded(GoalsEvent):
    goal_id: UUID
    version: int = Field(ge=1)
    party_id: UUID
    decision: Decision


class GoalAgreed(GoalsEvent):
    goal_id: UUID
    episode_id: UUID
    version: int = Field(ge=1)
    category_code: str = Field(max_length=40, pattern=r"^[a-z_]+$")
    measure: Measure
    baseline: Score
    target: Score
    direction: Direction
    due_date: date
    review_interval_days: int = Field(ge=1, le=366)
    milestones: tuple[MilestoneSpec, ...] = ()
    visibility: Visibility
    shared_with: tuple[UUID, ...] = ()
    parties: tuple[Party, ...]
    proposed_at: UtcDatetime
    agreed_at: UtcDatetime


class GoalRevisionProposed(GoalsEvent):
    goal_id: UUID
    version: int = Field(ge=2)
    proposed_by: UUID
    required_parties: tuple[Party, ...]


class GoalVisibilityChanged(GoalsEvent):
    goal_id: UUID
    visibility: Visibility
    shared_with: tuple[UUID, ...] = ()


class GoalPaused(GoalsEvent):
    goal_id: UUID
    paused_by: UUID


class GoalResumed(GoalsEvent):
    goal_id: UUID
    resumed_by: UUID


class GoalClosed(GoalsEvent):
    goal_id: UUID
    outcome: GoalOutcome
    closed_at: UtcDatetime


class FeelsOwn(StrEnum):
    """Whether a goal feels like the young person's own: asked of every party as they agree it."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


Importance = Annotated[int, Field(ge=0, le=10, strict=True)]


class GoalImportanceRated(GoalsEvent):
    """A required party, agreeing (or declining) a version, said how much the goal matters to them and whether it
    feels like the young person's own. Answers only, never who else saw them: whether the young person shared
    theirs is the goals service's to enforce on its reads."""

    goal_id: UUID
    episode_id: UUID
    version: int = Field(ge=1)
    party: Role
    importance: Importance | None = None
    feels_own: FeelsOwn | None = None
    occurred_at: UtcDatetime


class AlignmentDivergenceRaised(GoalsEvent):
    """The parties' importance answers on a goal spread at least the tenant's threshold apart: a prompt to talk,
    never a score of anyone. Raised once until resolved."""

    goal_id: UUID
    episode_id: UUID
    version: int = Field(ge=1)
    spread: Importance
    threshold: int = Field(ge=1, le=10)


class AlignmentDivergenceResolved(GoalsEvent):
    """The answers of a goal whose divergence was raised are now closer than the threshold (a new answer, or a
    revision agreed with answers that no longer diverge)."""

    goal_id: UUID
    episode_id: UUID
    version: int = Field(ge=1)


class ExportRequested(GoalsEvent):
    """A subject access export of everything Accord holds about `client_id` was asked for (by the client, or by
    staff acting on a recorded request). Each service assembles its own part, keeps it in its own database for
    `requested_by` to download, and announces it; the goals service keeps the request and counts the parts."""

    export_id: UUID
    requested_by: UUID
    requested_at: UtcDatetime


class ErasureDecided(GoalsEvent):
    """Erasure request `request_id` about `client_id` was approved by `decided_by` (a role with that authority).
    Every service applies it once, by what each kind of record allows: the clinical record is restricted (hidden
    from every read and use, kept for its retention period), app-only data is erased, and the client's analytics
    pseudonym material is destroyed. Each service then announces `<Service>ErasureApplied`."""

    request_id: UUID
    decided_by: UUID
    decided_at: UtcDatetime


class RestrictionLifted(GoalsEvent):
    """The restriction that approved erasure request `request_id` put on `client_id`'s clinical record was lifted by
    `lifted_by` (a supervisor of the client's team): every service that restricted the record uses it again. What
    was erased stays erased, and the analytics pseudonym material destroyed stays destroyed. The reason is kept
    with the request in the goals service, never in an event."""

    request_id: UUID
    lifted_by: UUID
    lifted_at: UtcDatetime


class EpisodeRecordsExpired(GoalsEvent):
    """The clinical retention period of episode `episode_id` (closed longer ago than its tenant's period) is over:
    the goals service removed its records of the episode, and every other service removes its own (once, in its
    inbox's transaction), restricted or not. Audit rows about `client_id` older than `kept_after` went with them;
    each service audits the removal itself. Ids and times only: no clinical text."""

    episode_id: UUID
    expired_at: UtcDatetime
    kept_after: UtcDatetime
    """The start of the retention period at `expired_at`: audit rows about the client before it were removed."""


class EpisodeKeysEvent(IntegrationEvent):
    """The episodes' data keys, to the services that open sealed events (topic accord.episode-keys.v1, compacted,
    keyed by episode: `events/sealing.py`)."""

    topic: ClassVar[str] = "accord.episode-keys.v1"
    key_field: ClassVar[str] = "episode_id"


WrappingKeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+$", min_length=1, max_length=32)]
"""The id of a key-encryption key: what `EpisodeKeyIssued` carries, and what the services' settings accept as the id
of a key they are given (accord.shared.settings), one rule for both."""


class EpisodeKeyIssued(EpisodeKeysEvent):
    """Episode `episode_id` of `client_id` was opened with a data key, which its events on the goals and progress
    topics are sealed under (AES-256-GCM). The key travels wrapped under the key-encryption key named
    `wrapping_key_id`, which the services are given apart from Kafka (`ACCORD_EPISODE_KEY_WRAPPING_KEYS`), bound to
    the episode. Each service that opens the episode's events keeps a copy of the key until it
    applies the episode's `EpisodeRecordsExpired`; the goals service then publishes a tombstone with the same message
    key, so compaction removes this event from the topic."""

    client_id: UUID
    episode_id: UUID
    wrapping_key_id: WrappingKeyId
    """The id of the key-encryption key `wrapped_key` is wrapped under."""
    wrapped_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{54}==$", min_length=56, max_length=56)]
    """The 256-bit data key wrapped (AES key wrap, RFC 3394, under a key derived for this episode), base64."""
