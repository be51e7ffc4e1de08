"""Commands: what a person asks the goals service to do (imperative), one handler each."""

from dataclasses import dataclass
from uuid import UUID

from accord.goals.domain.content import GoalContent
from accord.shared.events.contracts.common import Visibility
from accord.shared.events.contracts.goals import Decision, FeelsOwn, GoalOutcome


@dataclass(frozen=True)
class OpenEpisode:
    episode_id: UUID
    client_id: UUID
    team_id: UUID


@dataclass(frozen=True)
class AddFamilyMember:
    episode_id: UUID
    person_id: UUID
    relationship_code: str
    display_name: str | None = None


@dataclass(frozen=True)
class RemoveFamilyMember:
    episode_id: UUID
    person_id: UUID


@dataclass(frozen=True)
class CloseEpisode:
    episode_id: UUID


@dataclass(frozen=True)
class DraftGoal:
    episode_id: UUID
    goal_id: UUID
    content: GoalContent


@dataclass(frozen=True)
class EditDraft:
    goal_id: UUID
    content: GoalContent
    expected_revision: int


@dataclass(frozen=True)
class ProposeGoal:
    goal_id: UUID
    smart_override_reason: str | None = None


@dataclass(frozen=True)
class RecordAgreement:
    goal_id: UUID
    decision: Decision
    comment: str = ""
    importance: int | None = None
    feels_own: FeelsOwn | None = None
    share_answers_with_others: bool = False


@dataclass(frozen=True)
class ReviseGoal:
    goal_id: UUID
    content: GoalContent
    reason: str
    expected_revision: int
    smart_override_reason: str | None = None


@dataclass(frozen=True)
class ChangeVisibility:
    goal_id: UUID
    visibility: Visibility
    shared_with: list[UUID]
    expected_revision: int


@dataclass(frozen=True)
class PauseGoal:
    goal_id: UUID


@dataclass(frozen=True)
class ResumeGoal:
    goal_id: UUID


@dataclass(frozen=True)
class CloseGoal:
    goal_id: UUID
    outcome: GoalOutcome
    reason: str
