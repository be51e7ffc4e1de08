from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from accord.progress.adapters.repository import GoalView, Repository
from accord.shared.commands import AuditNote, CommandContext, GuardedWrite
from accord.shared.errors import Invalid, NotYetKnown
from accord.shared.events.contracts.common import Role

NOT_YET_KNOWN = "this goal is not known here yet (it may have just been agreed): retry shortly"


@dataclass(kw_only=True)
class Context(CommandContext):
    repo: Repository
    now: datetime
    gbo_reliable_change: float
    clock_skew: timedelta

    def write_at_once(self) -> None:
        self.repo.write_at_once()

    def guarded_write(self) -> GuardedWrite | None:
        return self.repo.deferred

    async def goals(
        self, goal_ids: list[UUID], action: str, *, for_update: bool = False
    ) -> dict[UUID, tuple[GoalView, Role] | NotYetKnown]:
        """Each goal as this service knows it, if the actor may see it. Unknown and hidden goals get the same
        retryable answer, so a client cannot learn of another's goal; both are audited as refused, so that the two
        refusals also take the same path and the same time (an unknown goal's row has no client)."""
        found = await self.repo.goals_with_role(
            self.actor.tenant_id,
            goal_ids,
            self.actor.subject,
            for_update=for_update,
            # A write locks its goals: their episodes and keys come with them, for sealing its events.
            read=self.episodes_read if for_update else None,
        )
        answers: dict[UUID, tuple[GoalView, Role] | NotYetKnown] = {}
        for goal_id in dict.fromkeys(goal_ids):
            if goal_id not in found:
                answers[goal_id] = NotYetKnown(NOT_YET_KNOWN)
                self.denied.append((AuditNote(action, "goal", goal_id, None), "NotYetKnown"))
                continue
            goal, role = found[goal_id]
            note = AuditNote(action, "goal", goal_id, goal.terms.client_id)
            if role is None or not goal.visible_to(self.actor.subject, role):
                answers[goal_id] = NotYetKnown(NOT_YET_KNOWN, hidden=True)
                self.denied.append((note, "NotYetKnown"))
            else:
                answers[goal_id] = goal, role
                self.audit.append(note)
        return answers

    async def goal(self, goal_id: UUID, action: str, *, for_update: bool = False) -> tuple[GoalView, Role]:
        """One goal, or the refusal raised (its denial is audited by the runner, in a transaction of its own)."""
        answer = (await self.goals([goal_id], action, for_update=for_update))[goal_id]
        if isinstance(answer, NotYetKnown):
            raise answer
        return answer

    def check_time(self, occurred_at: datetime, not_before: datetime | None) -> None:
        if occurred_at > self.now + self.clock_skew:
            raise Invalid("occurred_at", "occurred_at is in the future")
        if not_before is not None and occurred_at < not_before:
            raise Invalid("occurred_at", "occurred_at is before the care episode began")
