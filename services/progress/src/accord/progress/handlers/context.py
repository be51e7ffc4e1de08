from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from accord.progress.adapters.repository import GoalView, Repository
from accord.shared.commands import AuditNote, CommandContext
from accord.shared.errors import Invalid, NotYetKnown
from accord.shared.events.contracts.common import Role


@dataclass(kw_only=True)
class Context(CommandContext):
    repo: Repository
    now: datetime
    gbo_reliable_change: float
    clock_skew: timedelta

    async def goal(self, goal_id: UUID, action: str, *, for_update: bool = False) -> tuple[GoalView, Role]:
        """The goal as this service knows it, if the actor may see it. Unknown and hidden goals get the same
        retryable answer, so a client cannot learn of another's goal; the hidden case is audited as refused."""
        self.touching(action, "goal", goal_id, None)
        goal = await self.repo.goal(self.actor.tenant_id, goal_id, for_update=for_update)
        if goal is None:
            raise NotYetKnown("this goal is not known here yet (it may have just been agreed): retry shortly")
        self.attempted = AuditNote(action, "goal", goal_id, goal.terms.client_id)
        role = await self.repo.role_in(goal.terms.episode_id, self.actor.subject)
        if not goal.visible_to(self.actor.subject, role):
            raise NotYetKnown(
                "this goal is not known here yet (it may have just been agreed): retry shortly", hidden=True
            )
        assert role is not None
        self.audit.append(self.attempted)
        return goal, role

    def check_time(self, occurred_at: datetime, not_before: datetime | None) -> None:
        if occurred_at > self.now + self.clock_skew:
            raise Invalid("occurred_at", "occurred_at is in the future")
        if not_before is not None and occurred_at < not_before:
            raise Invalid("occurred_at", "occurred_at is before the care episode began")
