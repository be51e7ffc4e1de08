"""An in-memory stand-in for the progress service's repository, for handler tests without a database. It keeps the
rules the SQL keeps (an older goal version never replaces a newer one, a closed goal stays closed, a decision is made
once per goal version); tests/integration/test_goal_view.py runs one suite against both. `InMemoryUnitOfWork` hands
out the one repository (it does not roll back), as `adapters.repository.UnitOfWork` opens one per transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.devtools import testing
from accord.progress.adapters.repository import GoalView, QuietGoal
from accord.progress.domain.progress import LATEST_NEEDED, Decision, Ledger, Point, in_time_order
from accord.shared.episode_keys import EpisodesRead
from accord.shared.errors import Conflict
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import MeasureKind, Role, Visibility
from accord.shared.events.contracts.goals import GoalAgreed
from accord.shared.events.contracts.progress import AchievementStatus


@dataclass
class _Episode:
    tenant_id: str
    client_id: UUID
    opened_at: datetime
    closed: bool = False


@dataclass
class _Goal:
    tenant_id: str
    terms: GoalAgreed
    visibility: Visibility
    shared_with: list[UUID]
    status: str = "active"
    achievement: AchievementStatus | None = None
    progress_revision: int = 0


@dataclass
class InMemoryRepository:
    episodes: dict[UUID, _Episode] = field(default_factory=dict)
    members: dict[tuple[UUID, UUID], Role] = field(default_factory=dict)
    goals: dict[UUID, _Goal] = field(default_factory=dict)
    entries: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    decided: set[tuple[UUID, int, str]] = field(default_factory=set)
    published: list[Envelope] = field(default_factory=list)
    revisions: int = 0

    async def publish(self, *envelopes: Envelope) -> None:
        self.published.extend(envelopes)

    # --- the goal view ----------------------------------------------------------------------------------------
    async def add_episode(
        self,
        tenant_id: str,
        episode_id: UUID,
        client_id: UUID,
        lead_therapist_id: UUID,
        team_id: UUID,
        opened_at: datetime,
    ) -> None:
        self.episodes.setdefault(episode_id, _Episode(tenant_id, client_id, opened_at))
        self.members.setdefault((episode_id, client_id), Role.CLIENT)
        self.members.setdefault((episode_id, lead_therapist_id), Role.THERAPIST)

    async def set_member(self, episode_id: UUID, person_id: UUID, role: Role) -> None:
        self.members[episode_id, person_id] = role

    async def remove_member(self, episode_id: UUID, person_id: UUID) -> None:
        self.members.pop((episode_id, person_id), None)

    async def close_episode(self, episode_id: UUID) -> None:
        if (episode := self.episodes.get(episode_id)) is not None:
            episode.closed = True

    async def agree_goal(self, tenant_id: str, terms: GoalAgreed) -> None:
        known = self.goals.get(terms.goal_id)
        if known is None:
            self.goals[terms.goal_id] = _Goal(tenant_id, terms, terms.visibility, list(terms.shared_with))
        elif known.terms.version < terms.version:  # the status is kept, as the SQL's upsert keeps it
            known.terms, known.visibility, known.shared_with = terms, terms.visibility, list(terms.shared_with)

    async def set_visibility(self, goal_id: UUID, visibility: Visibility, shared_with: Any) -> None:
        if (goal := self.goals.get(goal_id)) is not None:
            goal.visibility, goal.shared_with = visibility, list(shared_with)

    async def set_status(self, goal_id: UUID, status: str) -> None:
        if (goal := self.goals.get(goal_id)) is not None and goal.status != "closed":
            goal.status = status

    async def quiet_goals(self) -> list[QuietGoal]:
        quiet = []
        for goal in self.goals.values():
            if goal.status != "active":
                continue
            t = goal.terms
            times = [e["occurred_at"] for e in self._entries_of(t)]
            reached = (t.goal_id, t.version, "target") in self.decided
            quiet.append(QuietGoal(goal.tenant_id, t, max(times, default=t.agreed_at), reached))
        return quiet

    # --- what command handlers read and write -----------------------------------------------------------------
    async def goals_with_role(
        self,
        tenant_id: str,
        goal_ids: list[UUID],
        person_id: UUID,
        *,
        for_update: bool = False,
        read: EpisodesRead | None = None,
    ) -> dict[UUID, tuple[GoalView, Role | None]]:
        found = {}
        for goal_id in goal_ids:
            goal = self.goals.get(goal_id)
            if goal is None or goal.tenant_id != tenant_id:
                continue
            t = goal.terms
            if read is not None:  # no key store here: the episode only
                read.episodes[goal_id] = t.episode_id
            episode = self.episodes.get(t.episode_id)
            view = GoalView(
                t,
                goal.tenant_id,
                goal.status,
                goal.visibility,
                list(goal.shared_with),
                goal.achievement,
                episode.opened_at if episode else None,
                goal.progress_revision,
            )
            found[goal_id] = (view, self.members.get((t.episode_id, person_id)))
        return found

    async def role_towards_client(self, tenant_id: str, client_id: UUID, person_id: UUID) -> Role | None:
        roles = {
            role
            for (episode_id, person), role in self.members.items()
            if person == person_id
            and (e := self.episodes.get(episode_id)) is not None
            and (e.tenant_id, e.client_id) == (tenant_id, client_id)
        }
        return next((r for r in (Role.CLIENT, Role.THERAPIST, Role.FAMILY) if r in roles), None)

    async def entries_and_ledgers(
        self, entry_ids: list[UUID], goals: Sequence[GoalAgreed]
    ) -> tuple[dict[UUID, dict[str, Any]], dict[UUID, Ledger]]:
        stored = {i: self.entries[i] for i in entry_ids if i in self.entries}
        return stored, {g.goal_id: self._ledger(g) for g in goals}

    async def add_entries(self, rows: list[dict[str, Any]]) -> None:
        if any(r["entry_id"] in self.entries for r in rows):
            raise Conflict("this entry id is already used")
        self.entries.update({r["entry_id"]: r for r in rows})

    def _ledger(self, goal: GoalAgreed) -> Ledger:
        decided = {
            key for (goal_id, version, key) in self.decided if (goal_id, version) == (goal.goal_id, goal.version)
        }
        points = sorted(
            (Point(e["entry_id"], e["value"], e["occurred_at"]) for e in self._counted(goal)), key=in_time_order
        )
        return Ledger(goal, decided, points[-LATEST_NEEDED:])

    async def add_decisions(self, goal: GoalAgreed, decisions: list[Decision]) -> None:
        for d in decisions:
            if not await self.decide(goal, d.key, d.entry_id):
                raise Conflict("a decision was made twice")  # the primary key's refusal

    async def record_progress(
        self,
        entries: list[dict[str, Any]],
        decisions: list[tuple[GoalAgreed, Decision]],
        achievements: dict[UUID, AchievementStatus | None],
    ) -> None:
        await self.add_entries(entries)
        for goal, d in decisions:
            await self.add_decisions(goal, [d])
        if achievements:
            await self.progress_changed(achievements)

    async def decide(self, goal: GoalAgreed, key: str, entry_id: UUID | None) -> bool:
        before = len(self.decided)
        self.decided.add((goal.goal_id, goal.version, key))
        return len(self.decided) > before

    async def progress_changed(self, achievements: dict[UUID, AchievementStatus | None]) -> None:
        self.revisions += 1
        for goal_id, status in achievements.items():
            goal = self.goals[goal_id]
            goal.progress_revision = self.revisions
            goal.achievement = status or goal.achievement

    def _entries_of(self, goal: GoalAgreed) -> list[dict[str, Any]]:
        return [e for e in self.entries.values() if (e["goal_id"], e["goal_version"]) == (goal.goal_id, goal.version)]

    def _counted(self, goal: GoalAgreed) -> list[dict[str, Any]]:
        kinds = {"measurement", "rating"} if goal.measure.kind is MeasureKind.GOAL_RATING else {"measurement"}
        return [e for e in self._entries_of(goal) if e["kind"] in kinds]


class InMemoryUnitOfWork(testing.InMemoryUnitOfWork[InMemoryRepository]):
    def __init__(self) -> None:
        super().__init__(InMemoryRepository())
