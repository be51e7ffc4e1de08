"""What a command handler works with: the repository, who is acting, the time, and what to publish and audit."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from accord.goals.adapters.repository import Repository
from accord.goals.domain.alignment import DEFAULT_DIVERGENCE_THRESHOLD
from accord.goals.domain.episodes import Episode
from accord.goals.domain.errors import NotFound, Stale
from accord.goals.domain.goals import Goal
from accord.shared.commands import AuditNote, CommandContext
from accord.shared.events.sealing import WrappingKeys


@dataclass(kw_only=True)
class Context(CommandContext):
    repo: Repository
    now: datetime
    active_goal_limit: int
    divergence_threshold: int = DEFAULT_DIVERGENCE_THRESHOLD
    """The actor's tenant's: points of importance apart at which the parties' answers diverge."""
    key_wrapping: WrappingKeys
    """The key-encryption keys a new episode's data key is announced under (`accord.shared.events.sealing`)."""

    async def episode(self, episode_id: UUID, *, for_update: bool = False) -> Episode:
        """The episode, if the actor is in it; otherwise 404 (its existence is not the actor's to know)."""
        self.touching("read", "episode", episode_id, None)
        episode = await self.repo.episode(self.actor.tenant_id, episode_id, for_update=for_update)
        if episode is None or not episode.is_member(self.actor.subject):
            raise NotFound("episode not found")
        self.audit.append(AuditNote("read", "episode", episode_id, episode.client_id))
        return episode

    async def goal(
        self, goal_id: UUID, action: str, *, for_update: bool = False, expected_revision: int | None = None
    ) -> tuple[Goal, int, Episode]:
        """The goal and its episode, if the actor may see it; locked for the transaction when changing it."""
        self.touching(action, "goal", goal_id, None)
        found = await self.repo.goal(self.actor.tenant_id, goal_id, for_update=for_update)
        if found is None:
            raise NotFound("goal not found")
        goal, revision = found
        self.attempted = AuditNote(action, "goal", goal_id, goal.client_id)
        episode = await self.repo.episode(self.actor.tenant_id, goal.episode_id)
        role = episode.role_of(self.actor.subject) if episode else None
        if episode is None or not goal.visible_to(self.actor.subject, role):
            raise NotFound("goal not found")
        if expected_revision is not None and expected_revision != revision:
            raise Stale("the goal has changed since you loaded it")
        self.audit.append(self.attempted)
        return goal, revision, episode
