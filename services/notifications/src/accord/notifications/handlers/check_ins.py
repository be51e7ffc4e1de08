"""RemindToCheckIn: for agreed goals whose review interval came round, nudge the client unless they already
recorded something in that period. Each goal's slot is claimed with SKIP LOCKED and moved on in the same
transaction as the reminder, whose id is derived from (goal, slot): a reminder is planned once per period."""

from datetime import datetime

from accord.notifications.domain import audience, links
from accord.notifications.domain.audience import CareTeam
from accord.notifications.domain.check_ins import CheckInDue
from accord.notifications.handlers.planning import Planner, Source
from accord.notifications.handlers.ports import UnitOfWork


async def remind_due_check_ins(uow: UnitOfWork, planner: Planner, now: datetime, limit: int = 100) -> int:
    """Returns how many goals came due (reminded or skipped)."""
    async with uow() as repo:
        goals = await repo.care_teams.claim_due_check_ins(now, limit)
        for goal in goals:
            due = CheckInDue(goal.goal_id, goal.next_check_in_at, goal.review_interval, goal.last_entry_at)
            if not due.already_checked_in:
                source = Source(
                    event_id=due.reminder_id,
                    tenant_id=goal.tenant_id,
                    client_id=goal.client_id,
                    correlation_id=due.reminder_id,
                    causation_id=None,
                    link_path=links.CHECK_INS,
                )
                await planner.notify(repo, source, audience.check_in_reminder(CareTeam(goal.client_id)), now)
            await repo.care_teams.move_check_in(due.goal_id, due.next_due(now))
    return len(goals)
