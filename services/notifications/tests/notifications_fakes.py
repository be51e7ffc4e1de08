"""An in-memory stand-in for the notifications service's care-team repository (adapters/care_teams.CareTeams), for
handler tests without a database; it keeps the rules the SQL keeps (a closed goal stays closed, someone who left
keeps their role but is no longer on the team, the latest client entry wins)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.notifications.adapters.care_teams import KnownGoal
from accord.notifications.domain.audience import CareTeam, GoalAccess
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.contracts.goals import EpisodeOpened, GoalVisibilityChanged


@dataclass
class _Episode:
    tenant_id: str
    client_id: UUID
    lead_therapist_id: UUID
    closed_at: datetime | None = None


@dataclass
class InMemoryCareTeams:
    episodes: dict[UUID, _Episode] = field(default_factory=dict)
    participants: dict[tuple[UUID, UUID], tuple[str, bool]] = field(default_factory=dict)  # role, active
    goals: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    last_entry_at: dict[UUID, datetime] = field(default_factory=dict)

    async def episode_opened(self, tenant_id: str, event: EpisodeOpened) -> None:
        self.episodes.setdefault(event.episode_id, _Episode(tenant_id, event.client_id, event.lead_therapist_id))

    async def episode_closed(self, episode_id: UUID, closed_at: datetime) -> None:
        if (episode := self.episodes.get(episode_id)) is not None:
            episode.closed_at = closed_at
        for goal in self.goals.values():
            if goal["episode_id"] == episode_id:
                goal["status"] = "closed"

    async def participant(self, episode_id: UUID, person_id: UUID, role: Role | None, active: bool) -> None:
        known = self.participants.get((episode_id, person_id), ("unknown", False))[0]
        self.participants[episode_id, person_id] = (known if role is None else role.value, active)

    async def visibility_changed(self, event: GoalVisibilityChanged) -> None:
        if (goal := self.goals.get(event.goal_id)) is not None:
            goal["visibility"], goal["shared_with"] = event.visibility, frozenset(event.shared_with)

    async def goal_status(self, goal_id: UUID, status: str, resumed_at: datetime | None = None) -> None:
        if (goal := self.goals.get(goal_id)) is not None and goal["status"] != "closed":
            goal["status"] = status

    async def client_entry(self, goal_id: UUID, at: datetime) -> None:
        self.last_entry_at[goal_id] = max(at, self.last_entry_at.get(goal_id, at))

    async def goal(self, tenant_id: str, goal_id: UUID) -> KnownGoal | None:
        goal = self.goals.get(goal_id)
        if goal is None or goal["tenant_id"] != tenant_id:
            return None
        access = GoalAccess(goal["visibility"], goal["shared_with"])
        return KnownGoal(goal_id, goal["client_id"], goal["episode_id"], access)

    def add_goal(self, tenant_id: str, goal_id: UUID, client_id: UUID, episode_id: UUID) -> None:
        """A goal known here (what goal_agreed would leave), private, for tests of what follows it."""
        self.goals[goal_id] = {
            "tenant_id": tenant_id,
            "client_id": client_id,
            "episode_id": episode_id,
            "status": "agreed",
            "visibility": Visibility.PRIVATE,
            "shared_with": frozenset(),
        }

    async def team_of_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> CareTeam:
        return self._team(tenant_id, client_id, lambda i, e: i == episode_id)

    async def team_of_client(self, tenant_id: str, client_id: UUID) -> CareTeam:
        team = self._team(tenant_id, client_id, lambda i, e: e.closed_at is None)
        return team if team.therapists else self._team(tenant_id, client_id, lambda i, e: True)

    def _team(self, tenant_id: str, client_id: UUID, where: Any) -> CareTeam:
        ids = [
            i for i, e in self.episodes.items() if (e.tenant_id, e.client_id) == (tenant_id, client_id) and where(i, e)
        ]
        if not ids:
            return CareTeam(client_id)
        people = {(i, person): rv for (i, person), rv in self.participants.items() if i in ids}
        left = {key for key, (_, active) in people.items() if not active}
        therapists = {
            self.episodes[i].lead_therapist_id for i in ids if (i, self.episodes[i].lead_therapist_id) not in left
        }
        therapists |= {p for (_, p), (role, active) in people.items() if active and role == Role.THERAPIST.value}
        family = {p for (_, p), (role, active) in people.items() if active and role == Role.FAMILY.value}
        return CareTeam(client_id, frozenset(therapists), frozenset(family))
