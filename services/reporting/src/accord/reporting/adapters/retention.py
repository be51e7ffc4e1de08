"""The reporting schema's own retention: what the notifications service no longer keeps is not kept here either."""

from datetime import datetime

from accord.shared.db import Connection
from accord.shared.retention import RetentionJob


async def remove_notification_outcomes(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` notification outcomes that happened before `before`; returns how many went."""
    status = await conn.execute(
        f"""
        WITH due AS (
            SELECT event_id FROM {schema}.notification_outcomes WHERE occurred_at < $1
            ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM {schema}.notification_outcomes o USING due WHERE o.event_id = due.event_id""",
        before,
        limit,
    )
    return int(status.rsplit(" ", 1)[-1])


NOTIFICATION_OUTCOMES = RetentionJob(
    "notification_outcomes",
    remove_notification_outcomes,
    lambda settings: settings.retention_notification_outcomes_days,
)
