"""An in-memory stand-in for the goals service's repository, for handler tests without a database. Aggregates are
stored as the JSON they are in PostgreSQL, so a handler never keeps a live reference to what it saved."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from accord.goals.domain.episodes import Episode
from accord.goals.domain.goals import ACTIVE_STATES, Goal, GoalStatus
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.sealing import new_key


@dataclass
class InMemoryRepository:
    episodes: dict[UUID, str] = field(default_factory=dict)
    goals: dict[UUID, tuple[str, int, datetime]] = field(default_factory=dict)  # doc, revision, created_at

    async def episode(self, tenant_id: str, episode_id: UUID, *, for_update: bool = False) -> Episode | None:
        doc = self.episodes.get(episode_id)
        found = Episode.model_validate_json(doc) if doc else None
        return found if found is not None and found.tenant_id == tenant_id else None

    async def add_episode(self, episode: Episode, key_announced_under: str) -> bytes:
        assert episode.episode_id not in self.episodes, "the primary key refuses it"
        self.episodes[episode.episode_id] = episode.model_dump_json()
        return new_key()

    async def save_episode(self, episode: Episode) -> None:
        self.episodes[episode.episode_id] = episode.model_dump_json()

    async def episodes_of(
        self, tenant_id: str, person_id: UUID, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Episode]:
        mine = [e for e in map(Episode.model_validate_json, self.episodes.values()) if e.is_member(person_id)]
        mine = sorted((e for e in mine if e.tenant_id == tenant_id), key=lambda e: (e.opened_at, e.episode_id))
        if after:
            mine = [e for e in mine if (e.opened_at, e.episode_id) > after]
        return mine[:limit]

    async def goal(self, tenant_id: str, goal_id: UUID, *, for_update: bool = False) -> tuple[Goal, int] | None:
        if goal_id not in self.goals:
            return None
        doc, revision, _ = self.goals[goal_id]
        goal = Goal.model_validate_json(doc)
        return (goal, revision) if goal.tenant_id == tenant_id else None

    async def add_goal(self, goal: Goal, now: datetime) -> int:
        assert goal.goal_id not in self.goals, "the primary key refuses it"
        self.goals[goal.goal_id] = (goal.model_dump_json(), 1, now)
        return 1

    async def save_goal(self, goal: Goal) -> int:
        _, revision, created_at = self.goals[goal.goal_id]
        self.goals[goal.goal_id] = (goal.model_dump_json(), revision + 1, created_at)
        return revision + 1

    async def goals_in_play(self, episode_id: UUID, other_than: UUID) -> int:
        return sum(
            1
            for g in self._all()
            if g.episode_id == episode_id and g.goal_id != other_than and g.status in ACTIVE_STATES
        )

    async def goals_visible_to(
        self,
        episode_id: UUID,
        person_id: UUID,
        role: Role,
        statuses: list[GoalStatus],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[tuple[Goal, int]]:
        def visible(g: Goal) -> bool:
            shared = g.visibility is Visibility.SHARED and person_id in g.shared_with
            return role in (Role.CLIENT, Role.THERAPIST) or g.created_by == person_id or shared

        found = [
            (g, self.goals[g.goal_id][1])
            for g in self._all()
            if g.episode_id == episode_id and visible(g) and (not statuses or g.status in statuses)
        ]
        return sorted(found, key=lambda gr: (self.goals[gr[0].goal_id][2], gr[0].goal_id))[:limit]

    async def created_at(self, goal_id: UUID) -> datetime:
        return self.goals[goal_id][2]

    def _all(self) -> list[Goal]:
        return [Goal.model_validate_json(doc) for doc, _, _ in self.goals.values()]
