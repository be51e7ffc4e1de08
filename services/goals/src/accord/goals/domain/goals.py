"""A goal agreed together: versions, per-party agreement, visibility, pause and close.

Methods check who may do what in which state and return the integration events to publish; they do no I/O.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from accord.goals.domain import alignment as al
from accord.goals.domain.content import MAX_TEXT, GoalContent
from accord.goals.domain.episodes import Episode
from accord.goals.domain.errors import Invalid, LimitReached, NotAllowed, NotFound, WrongState
from accord.goals.domain.smart import SmartResult
from accord.shared.events import IntegrationEvent
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import MilestoneSpec, Party, Role, Visibility


class GoalStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    ACTIVE = "active"  # agreed by every required party and in force
    PAUSED = "paused"
    CLOSED = "closed"


class VersionState(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    AGREED = "agreed"
    SUPERSEDED = "superseded"


class Agreement(BaseModel):
    decision: ev.Decision
    comment: str = Field(default="", max_length=MAX_TEXT)
    at: datetime


class CloseRequest(BaseModel):
    outcome: ev.GoalOutcome
    reason: str = Field(max_length=MAX_TEXT)
    at: datetime


class HistoryEntry(BaseModel):
    at: datetime
    actor: UUID
    action: str
    version: int
    reason: str | None = None


class GoalVersion(BaseModel):
    number: int
    content: GoalContent
    state: VersionState
    created_by: UUID
    created_at: datetime
    change_reason: str | None = None
    required_parties: list[Party] = []
    agreements: dict[UUID, Agreement] = {}
    answers: dict[UUID, al.Answer] = {}
    """Importance and ownership, per party who gave them while agreeing this version (never in `agreements`,
    which every reader of the goal sees)."""
    proposed_at: datetime | None = None
    agreed_at: datetime | None = None
    smart_override_reason: str | None = None

    def party_status(self) -> dict[UUID, str]:
        """pending / agree / decline per required party: disagreement shows rather than hides."""
        return {
            p.person_id: (self.agreements[p.person_id].decision.value if p.person_id in self.agreements else "pending")
            for p in self.required_parties
        }

    def answered(self) -> list[tuple[UUID, Role, al.Answer]]:
        return [
            (p.person_id, p.role, self.answers[p.person_id])
            for p in self.required_parties
            if p.person_id in self.answers
        ]

    def all_agreed(self) -> bool:
        return all(s == ev.Decision.AGREE.value for s in self.party_status().values())


ACTIVE_STATES = (GoalStatus.PROPOSED, GoalStatus.ACTIVE, GoalStatus.PAUSED)


class Goal(BaseModel):
    goal_id: UUID
    tenant_id: str
    episode_id: UUID
    client_id: UUID
    created_by: UUID
    status: GoalStatus = GoalStatus.DRAFT
    versions: list[GoalVersion]
    visibility: Visibility = Visibility.PRIVATE
    shared_with: list[UUID] = []
    close_requests: dict[UUID, CloseRequest] = {}
    outcome: ev.GoalOutcome | None = None
    history: list[HistoryEntry] = []
    divergence_raised_on: int | None = None
    """The version on whose answers a divergence was raised and not yet resolved."""

    # --- reading -------------------------------------------------------------------------------------------------
    @property
    def agreed(self) -> GoalVersion | None:
        return next((v for v in reversed(self.versions) if v.state is VersionState.AGREED), None)

    @property
    def latest(self) -> GoalVersion:
        return self.versions[-1]

    @property
    def under_agreement(self) -> GoalVersion | None:
        return self.latest if self.latest.state is VersionState.PROPOSED else None

    @property
    def answered_version(self) -> GoalVersion:
        """The version whose answers the goal shows: the newest answered one still in play (a revision's once any
        party answered it), else the version in force, else the latest."""
        in_play = [v for v in self.versions if v.state is not VersionState.SUPERSEDED]
        return next((v for v in reversed(in_play) if v.answers), self.agreed or self.latest)

    def alignment_seen_by(self, viewer: UUID, threshold: int) -> al.Alignment:
        return al.seen_by(self.answered_version.answered(), threshold, viewer, self.client_id)

    def visible_to(self, person: UUID, role_in_episode: Role | None) -> bool:
        if role_in_episode in (Role.CLIENT, Role.THERAPIST) or person == self.created_by:
            return True
        return role_in_episode is Role.FAMILY and self.visibility is Visibility.SHARED and person in self.shared_with

    # --- commands ------------------------------------------------------------------------------------------------
    @classmethod
    def draft(cls, goal_id: UUID, episode: Episode, actor: UUID, content: GoalContent, now: datetime) -> "Goal":
        _require_open_member(episode, actor)
        _check_family_parties(episode, content)
        goal = cls(
            goal_id=goal_id,
            tenant_id=episode.tenant_id,
            episode_id=episode.episode_id,
            client_id=episode.client_id,
            created_by=actor,
            versions=[
                GoalVersion(number=1, content=content, state=VersionState.DRAFT, created_by=actor, created_at=now)
            ],
        )
        goal._share_with_family_parties(content)
        goal._log(now, actor, "drafted")
        return goal

    def edit_draft(self, episode: Episode, actor: UUID, content: GoalContent, now: datetime) -> None:
        self._require_editor(episode, actor)
        if self.status is not GoalStatus.DRAFT:
            raise WrongState("only a draft can be edited; an agreed goal is changed by a revision")
        _check_family_parties(episode, content)
        self.versions[-1] = self.latest.model_copy(update={"content": content})
        self._share_with_family_parties(content)
        self._log(now, actor, "edited draft")

    def propose(
        self,
        episode: Episode,
        actor: UUID,
        smart: SmartResult,
        override_reason: str | None,
        goals_in_play: int,
        limit: int,
        now: datetime,
    ) -> list[IntegrationEvent]:
        self._require_editor(episode, actor)
        if self.status is not GoalStatus.DRAFT:
            raise WrongState("only a draft can be proposed")
        _smart_or_override(episode, actor, smart, override_reason)
        if goals_in_play >= limit:
            # No count in the message: it would tell a family member how many private goals exist.
            raise LimitReached(
                f"this episode has reached its limit of {limit} goals in play: "
                "finishing or closing one first keeps expectations realistic"
            )
        version = self._put_to_agreement(self.latest, episode, actor, override_reason, now)
        self.status = GoalStatus.PROPOSED
        self._log(now, actor, "proposed", override_reason)
        return [
            ev.GoalProposed(
                client_id=self.client_id,
                goal_id=self.goal_id,
                episode_id=self.episode_id,
                version=version.number,
                proposed_by=actor,
                required_parties=tuple(version.required_parties),
                visibility=self.visibility,
                shared_with=tuple(self.shared_with),
            )
        ]

    def record_agreement(
        self,
        episode: Episode,
        actor: UUID,
        decision: ev.Decision,
        comment: str,
        now: datetime,
        answer: al.Answer | None = None,
        threshold: int = al.DEFAULT_DIVERGENCE_THRESHOLD,
    ) -> list[IntegrationEvent]:
        """`answer`: the party's importance and ownership, if they gave any; `threshold`: the tenant's."""
        self._require_visible(episode, actor)
        version = self.under_agreement
        if version is None:
            raise WrongState("nothing is waiting for agreement")
        if actor not in {p.person_id for p in version.required_parties}:
            raise NotAllowed("only the goal's required parties record agreement")
        if answer is not None and answer.share_with_others and actor != self.client_id:
            raise Invalid("share_answers_with_others", "only the young person chooses whether others see their answer")
        version.agreements[actor] = Agreement(decision=decision, comment=comment, at=now)
        self._log(now, actor, f"recorded {decision.value}", comment or None)
        events: list[IntegrationEvent] = [
            ev.GoalAgreementRecorded(
                client_id=self.client_id,
                goal_id=self.goal_id,
                version=version.number,
                party_id=actor,
                decision=decision,
            )
        ]
        if answer is not None and (answer.importance is not None or answer.feels_own is not None):
            events.append(self._answered(version, actor, answer))
        if version.all_agreed():
            events.append(self._agree(version, now))
        events += self._check_alignment(version, threshold)
        return events

    def propose_revision(
        self,
        episode: Episode,
        actor: UUID,
        content: GoalContent,
        reason: str,
        smart: SmartResult,
        override_reason: str | None,
        now: datetime,
    ) -> list[IntegrationEvent]:
        self._require_editor(episode, actor)
        if self.status not in (GoalStatus.ACTIVE, GoalStatus.PAUSED):
            raise WrongState("only an agreed goal can be revised")
        if self.under_agreement is not None:
            raise WrongState("a revision is already waiting for agreement")
        _check_family_parties(episode, content)
        _smart_or_override(episode, actor, smart, override_reason)
        draft = GoalVersion(
            number=self.latest.number + 1,
            content=content,
            state=VersionState.DRAFT,
            created_by=actor,
            created_at=now,
            change_reason=reason,
        )
        self.versions.append(draft)
        version = self._put_to_agreement(draft, episode, actor, override_reason, now)
        self._share_with_family_parties(content)
        self._log(now, actor, "proposed revision", reason)
        return [
            ev.GoalRevisionProposed(
                client_id=self.client_id,
                goal_id=self.goal_id,
                version=version.number,
                proposed_by=actor,
                required_parties=tuple(version.required_parties),
            )
        ]

    def change_visibility(
        self, episode: Episode, actor: UUID, visibility: Visibility, shared_with: list[UUID], now: datetime
    ) -> list[IntegrationEvent]:
        if actor != self.client_id:
            self._require_visible(episode, actor)
            raise NotAllowed("only the client decides who sees their goal")
        people = set(shared_with) if visibility is Visibility.SHARED else set()
        if not people <= episode.family_ids():
            raise Invalid("shared_with", "a goal can be shared only with family members in the episode")
        named = set(self.latest.content.family_party_ids)
        if not named <= people:
            raise Invalid(
                "shared_with",
                "family members named on this goal must keep seeing it; revise the goal to take them off first",
            )
        self.visibility, self.shared_with = visibility, sorted(people)
        self._log(now, actor, f"made {visibility.value}")
        return [
            ev.GoalVisibilityChanged(
                client_id=self.client_id,
                goal_id=self.goal_id,
                visibility=visibility,
                shared_with=tuple(self.shared_with),
            )
        ]

    def pause(self, episode: Episode, actor: UUID, now: datetime) -> list[IntegrationEvent]:
        self._require_client_or_lead(episode, actor)
        if self.status is not GoalStatus.ACTIVE:
            raise WrongState("only an active goal can be paused")
        self.status = GoalStatus.PAUSED
        self._log(now, actor, "paused")
        return [ev.GoalPaused(client_id=self.client_id, goal_id=self.goal_id, paused_by=actor)]

    def resume(self, episode: Episode, actor: UUID, now: datetime) -> list[IntegrationEvent]:
        self._require_client_or_lead(episode, actor)
        if self.status is not GoalStatus.PAUSED:
            raise WrongState("only a paused goal can be resumed")
        self.status = GoalStatus.ACTIVE
        self._log(now, actor, "resumed")
        return [ev.GoalResumed(client_id=self.client_id, goal_id=self.goal_id, resumed_by=actor)]

    def request_close(
        self, episode: Episode, actor: UUID, outcome: ev.GoalOutcome, reason: str, now: datetime
    ) -> list[IntegrationEvent]:
        """Closing needs both the client and the lead therapist, agreeing on the outcome."""
        self._require_client_or_lead(episode, actor)
        if self.status not in (GoalStatus.ACTIVE, GoalStatus.PAUSED):
            raise WrongState("only an agreed goal can be closed")
        self.close_requests[actor] = CloseRequest(outcome=outcome, reason=reason, at=now)
        self._log(now, actor, f"asked to close as {outcome.value}", reason)
        both = [self.close_requests.get(self.client_id), self.close_requests.get(episode.lead_therapist_id)]
        if not all(r is not None and r.outcome is outcome for r in both):
            return []
        self.status, self.outcome = GoalStatus.CLOSED, outcome
        self._log(now, actor, "closed")
        return [ev.GoalClosed(client_id=self.client_id, goal_id=self.goal_id, outcome=outcome, closed_at=now)]

    # --- rules -----------------------------------------------------------------------------------------------------
    def _answered(self, version: GoalVersion, actor: UUID, answer: al.Answer) -> ev.GoalImportanceRated:
        version.answers[actor] = answer
        role = next(p.role for p in version.required_parties if p.person_id == actor)
        return ev.GoalImportanceRated(
            client_id=self.client_id,
            goal_id=self.goal_id,
            episode_id=self.episode_id,
            version=version.number,
            party=role,
            importance=answer.importance,
            feels_own=answer.feels_own,
            occurred_at=answer.at,
        )

    def _check_alignment(self, version: GoalVersion, threshold: int) -> list[IntegrationEvent]:
        """Raises a divergence once, and resolves it once: when the answers come closer than the threshold, or
        when a newer version is agreed whose answers do not diverge (agreeing anew is talking it through)."""
        whole = al.alignment(version.answered(), threshold)
        ids = {"client_id": self.client_id, "goal_id": self.goal_id, "episode_id": self.episode_id}
        if self.divergence_raised_on is None:
            if not whole.diverges:
                return []
            assert whole.spread is not None
            self.divergence_raised_on = version.number
            return [
                ev.AlignmentDivergenceRaised(**ids, version=version.number, spread=whole.spread, threshold=threshold)
            ]
        compared = whole.spread is not None
        agreed_anew = version.state is VersionState.AGREED and version.number > self.divergence_raised_on
        if whole.diverges:
            self.divergence_raised_on = max(self.divergence_raised_on, version.number)
            return []
        if not (compared and version.number >= self.divergence_raised_on) and not agreed_anew:
            return []
        self.divergence_raised_on = None
        return [ev.AlignmentDivergenceResolved(**ids, version=version.number)]

    def _agree(self, version: GoalVersion, now: datetime) -> ev.GoalAgreed:
        if (previous := self.agreed) is not None:
            previous.state = VersionState.SUPERSEDED
        version.state, version.agreed_at = VersionState.AGREED, now
        if self.status is GoalStatus.PROPOSED:
            self.status = GoalStatus.ACTIVE
        c = version.content
        assert version.proposed_at is not None
        return ev.GoalAgreed(
            client_id=self.client_id,
            goal_id=self.goal_id,
            episode_id=self.episode_id,
            version=version.number,
            category_code=c.category_code,
            measure=c.measure,
            baseline=c.baseline,
            target=c.target,
            direction=c.direction,
            due_date=c.due_date,
            review_interval_days=c.review_interval_days,
            milestones=tuple(
                MilestoneSpec(milestone_id=m.milestone_id, position=i, kind=m.kind, threshold=m.threshold)
                for i, m in enumerate(c.milestones, start=1)
            ),
            visibility=self.visibility,
            shared_with=tuple(self.shared_with),
            parties=tuple(version.required_parties),
            proposed_at=version.proposed_at,
            agreed_at=now,
        )

    def _put_to_agreement(
        self, version: GoalVersion, episode: Episode, actor: UUID, override: str | None, now: datetime
    ) -> GoalVersion:
        parties = [
            Party(person_id=self.client_id, role=Role.CLIENT),
            Party(person_id=episode.lead_therapist_id, role=Role.THERAPIST),
        ]
        parties += [Party(person_id=p, role=Role.FAMILY) for p in version.content.family_party_ids]
        version.state, version.proposed_at, version.smart_override_reason = VersionState.PROPOSED, now, override
        version.required_parties, version.agreements = parties, {}
        return version

    def _share_with_family_parties(self, content: GoalContent) -> None:
        if content.family_party_ids:
            self.visibility = Visibility.SHARED
            self.shared_with = sorted(set(self.shared_with) | set(content.family_party_ids))

    def _require_visible(self, episode: Episode, actor: UUID) -> Role:
        role = episode.role_of(actor)
        if role is None or not self.visible_to(actor, role):
            raise NotFound("goal not found")
        return role

    def _require_editor(self, episode: Episode, actor: UUID) -> None:
        self._require_visible(episode, actor)
        if episode.status.value != "open":
            raise WrongState("the episode is closed")

    def _require_client_or_lead(self, episode: Episode, actor: UUID) -> None:
        self._require_visible(episode, actor)
        if actor not in (self.client_id, episode.lead_therapist_id):
            raise NotAllowed("only the client and the lead therapist can do this")

    def _log(self, now: datetime, actor: UUID, action: str, reason: str | None = None) -> None:
        self.history.append(HistoryEntry(at=now, actor=actor, action=action, version=self.latest.number, reason=reason))


def _require_open_member(episode: Episode, actor: UUID) -> None:
    if not episode.is_member(actor):
        raise NotFound("episode not found")
    if episode.status.value != "open":
        raise WrongState("the episode is closed")


def _check_family_parties(episode: Episode, content: GoalContent) -> None:
    if not set(content.family_party_ids) <= episode.family_ids():
        raise Invalid("family_party_ids", "each named family member must be a family participant of the episode")


def _smart_or_override(episode: Episode, actor: UUID, smart: SmartResult, override_reason: str | None) -> None:
    if smart.passed:
        return
    if episode.role_of(actor) is not Role.THERAPIST or not (override_reason or "").strip():
        failing = ", ".join(r.criterion.value for r in smart.results if not r.passed)
        raise Invalid("content", f"the goal is not yet SMART ({failing}); a therapist may override with a reason")


FHIR_LIFECYCLE = {
    GoalStatus.DRAFT: "proposed",
    GoalStatus.PROPOSED: "planned",
    GoalStatus.ACTIVE: "active",
    GoalStatus.PAUSED: "on-hold",
}


def fhir_lifecycle_status(goal: Goal) -> str:
    """FHIR R4 Goal.lifecycleStatus: drafts are `proposed`, goals awaiting agreement `planned`, agreed goals
    `active`, paused `on-hold`; closed goals `completed` when pursued to an end, `cancelled` when dropped."""
    if goal.status is GoalStatus.CLOSED:
        dropped = goal.outcome in (ev.GoalOutcome.NO_LONGER_RELEVANT, ev.GoalOutcome.REPLACED)
        return "cancelled" if dropped else "completed"
    return FHIR_LIFECYCLE[goal.status]
