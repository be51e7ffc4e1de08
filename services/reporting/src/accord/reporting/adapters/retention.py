"""The reporting schema's own retention: what the notifications service no longer keeps is not kept here either."""

from datetime import datetime

from accord.shared.db import Connection
from accord.shared.retention import RetentionJob, remove_older


async def remove_notification_outcomes(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` notification outcomes that happened before `before`; returns how many went."""
    return await remove_older(conn, f"{schema}.notification_outcomes", "event_id", "occurred_at", before, limit)


NOTIFICATION_OUTCOMES = RetentionJob(
    "notification_outcomes",
    remove_notification_outcomes,
    lambda settings: settings.retention_notification_outcomes_days,
)
