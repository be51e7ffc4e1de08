"""RemindToCheckIn: for agreed goals whose review interval came round, nudge the client unless they already
recorded something in that period. Each goal's slot is claimed with SKIP LOCKED and moved on in the same
transaction as the reminder, whose id is derived from (goal, slot): a reminder is planned once per period."""

from datetime import datetime, timedelta

import asyncpg

from accord.notifications.domain import audience, links
from accord.notifications.domain.audience import CareTeam
from accord.notifications.domain.check_ins import CheckInDue
from accord.notifications.handlers.planning import Planner, Source

_DUE = """
SELECT g.goal_id, g.tenant_id, g.client_id, g.next_check_in_at, g.review_interval_days, e.last_entry_at
FROM goals g LEFT JOIN client_entries e ON e.goal_id = g.goal_id
WHERE g.status = 'agreed' AND g.next_check_in_at <= $1
ORDER BY g.next_check_in_at
LIMIT $2
FOR UPDATE OF g SKIP LOCKED
"""


async def remind_due_check_ins(pool: asyncpg.Pool, planner: Planner, now: datetime, limit: int = 100) -> int:
    """Returns how many goals came due (reminded or skipped)."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(_DUE, now, limit)
        for row in rows:
            due = CheckInDue(
                row["goal_id"],
                row["next_check_in_at"],
                timedelta(days=row["review_interval_days"]),
                row["last_entry_at"],
            )
            if not due.already_checked_in:
                source = Source(
                    event_id=due.reminder_id,
                    tenant_id=row["tenant_id"],
                    client_id=row["client_id"],
                    correlation_id=due.reminder_id,
                    causation_id=None,
                    link_path=links.CHECK_INS,
                )
                await planner.notify(conn, source, audience.check_in_reminder(CareTeam(row["client_id"])), now)
            await conn.execute(
                "UPDATE goals SET next_check_in_at = $2 WHERE goal_id = $1", due.goal_id, due.next_due(now)
            )
    return len(rows)
