"""Request and response bodies of the goals API (XCreate in, XPublic out)."""

from datetime import datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, Field

from accord.goals.domain.alignment import Alignment
from accord.goals.domain.content import MAX_TEXT, GoalContent
from accord.goals.domain.episodes import Episode, EpisodeStatus, Participant
from accord.goals.domain.goals import (
    Agreement,
    Goal,
    GoalStatus,
    GoalVersion,
    HistoryEntry,
    VersionState,
    fhir_lifecycle_status,
)
from accord.goals.domain.smart import CriterionResult
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.contracts.goals import Decision, FeelsOwn, GoalOutcome
from accord.shared.inputs import Integer, RequestModel, StrictBool, Text

Reason = Text(MAX_TEXT, min_length=1, multiline=True)


class EpisodeCreate(RequestModel):
    episode_id: UUID = Field(default_factory=uuid4, description="client-supplied id, so a retry is safe")
    client_id: UUID
    team_id: UUID


class FamilyMemberAdd(RequestModel):
    person_id: UUID
    relationship_code: str = Field(max_length=30, pattern=r"^[a-z_]+$", examples=["parent", "sibling", "carer"])
    display_name: str | None = Text(
        60, default=None, description="what the family member is called, shown instead of their id"
    )


class EpisodePublic(BaseModel):
    episode_id: UUID
    client_id: UUID
    team_id: UUID
    lead_therapist_id: UUID
    status: EpisodeStatus
    opened_at: datetime
    closed_at: datetime | None
    participants: list[Participant]

    @classmethod
    def of(cls, episode: Episode) -> "EpisodePublic":
        return cls.model_validate(episode.model_dump())


class GoalCreate(RequestModel):
    goal_id: UUID = Field(default_factory=uuid4, description="client-supplied id, so a retry is safe")
    content: GoalContent


class DraftUpdate(RequestModel):
    content: GoalContent


class Proposal(RequestModel):
    smart_override_reason: str | None = Text(
        MAX_TEXT, multiline=True, default=None, description="a therapist's reason to propose a goal that is not SMART"
    )


class AgreementCreate(RequestModel):
    decision: Decision
    comment: str = Text(MAX_TEXT, multiline=True, default="")
    importance: int | None = Integer(ge=0, le=10, default=None, description="how much the goal matters to you, 0-10")
    feels_own: FeelsOwn | None = Field(default=None, description="does this feel like the young person's own goal")
    share_answers_with_others: StrictBool = Field(
        default=False,
        description="the young person only: let the care team (and family who see the goal) see these answers",
    )


class RevisionCreate(RequestModel):
    content: GoalContent
    reason: str = Reason
    smart_override_reason: str | None = Text(MAX_TEXT, multiline=True, default=None)


class VisibilityUpdate(RequestModel):
    visibility: Visibility
    shared_with: list[UUID] = Field(default=[], max_length=10)


class ClosureCreate(RequestModel):
    outcome: GoalOutcome
    reason: str = Reason


class SmartCheckPublic(BaseModel):
    passed: bool
    results: list[CriterionResult]


class PartyPublic(BaseModel):
    person_id: UUID
    role: Role
    status: str = Field(description="pending, agree or decline")
    agreement: Agreement | None


class VersionPublic(BaseModel):
    number: int
    state: VersionState
    content: GoalContent
    created_by: UUID
    created_at: datetime
    change_reason: str | None
    proposed_at: datetime | None
    agreed_at: datetime | None
    smart_override_reason: str | None
    parties: list[PartyPublic]


class AnswerPublic(BaseModel):
    party: Role
    importance: int | None
    feels_own: FeelsOwn | None


class AlignmentPublic(BaseModel):
    """Where the parties' answers diverge: a prompt to talk, never a score of anyone. The young person's answer is
    here for others only when they allowed it; without it, `spread` is null (it would give their answer away) and
    `diverges` still says whether to talk, naming no one."""

    answers: list[AnswerPublic]
    spread: int | None = Field(description="highest less lowest importance; null below two answers or when withheld")
    diverges: bool
    threshold: int = Field(description="the service's divergence threshold, in points of importance")

    @classmethod
    def of(cls, a: Alignment) -> "AlignmentPublic":
        return cls(
            answers=[AnswerPublic(party=x.party, importance=x.importance, feels_own=x.feels_own) for x in a.answers],
            spread=a.spread,
            diverges=a.diverges,
            threshold=a.threshold,
        )


class GoalPublic(BaseModel):
    goal_id: UUID
    episode_id: UUID
    client_id: UUID
    status: GoalStatus
    fhir_lifecycle_status: str
    visibility: Visibility
    shared_with: list[UUID]
    outcome: GoalOutcome | None
    agreed_version: VersionPublic | None = Field(description="the version in force")
    pending_version: VersionPublic | None = Field(description="a draft, proposal or revision awaiting agreement")
    revision: int = Field(description="also sent as the ETag")
    alignment: AlignmentPublic = Field(description="the parties' importance and ownership answers, as you may see them")

    @classmethod
    def of(cls, goal: Goal, revision: int, viewer: UUID, threshold: int) -> "GoalPublic":
        agreed = goal.agreed
        latest = goal.latest
        return cls(
            goal_id=goal.goal_id,
            episode_id=goal.episode_id,
            client_id=goal.client_id,
            status=goal.status,
            fhir_lifecycle_status=fhir_lifecycle_status(goal),
            visibility=goal.visibility,
            shared_with=goal.shared_with,
            outcome=goal.outcome,
            agreed_version=_version(agreed) if agreed else None,
            pending_version=None if latest is agreed or latest.state is VersionState.SUPERSEDED else _version(latest),
            revision=revision,
            alignment=AlignmentPublic.of(goal.alignment_seen_by(viewer, threshold)),
        )


def _version(v: GoalVersion) -> VersionPublic:
    statuses = v.party_status()
    return VersionPublic(
        number=v.number,
        state=v.state,
        content=v.content,
        created_by=v.created_by,
        created_at=v.created_at,
        change_reason=v.change_reason,
        proposed_at=v.proposed_at,
        agreed_at=v.agreed_at,
        smart_override_reason=v.smart_override_reason,
        parties=[
            PartyPublic(
                person_id=p.person_id,
                role=p.role,
                status=statuses[p.person_id],
                agreement=v.agreements.get(p.person_id),
            )
            for p in v.required_parties
        ],
    )


class HistoryPublic(BaseModel):
    entries: list[HistoryEntry]
