"""Retention of every service's shared bookkeeping: remembered idempotency keys go after
`retention_idempotency_keys_days`, removed by a loop in the worker in bounded batches (short transactions).

The notifications service has a sweep of its own with per-tenant periods (`accord.notifications.handlers.retention`)
and does not run this one. Audit rows are never removed here: they are kept for the clinical retention period.
"""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from prometheus_client import Counter

from accord.shared.db import Connection
from accord.shared.runtime import BackgroundTask, Resources
from accord.shared.settings import ServiceSettings

RETENTION_REMOVED = Counter(
    "accord_retention_removed_total", "Records removed because their retention period was over", ["service", "kind"]
)
log = structlog.get_logger(__name__)


async def remove_idempotency_keys(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` keys remembered before `before`; returns how many went."""
    status = await conn.execute(
        f"""
        WITH due AS (
            SELECT tenant_id, actor_id, key FROM {schema}.idempotency_keys WHERE created_at < $1
            ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM {schema}.idempotency_keys k USING due
        WHERE (k.tenant_id, k.actor_id, k.key) = (due.tenant_id, due.actor_id, due.key)""",
        before,
        limit,
    )
    return int(status.rsplit(" ", 1)[-1])


async def remove_expired_idempotency_keys(pool: asyncpg.Pool, settings: ServiceSettings, now: datetime) -> int:
    """Removes every key past its period at `now`, one transaction per batch; returns how many went."""
    before = now - timedelta(days=settings.retention_idempotency_keys_days)
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            count = await remove_idempotency_keys(conn, settings.db_schema, before, settings.retention_batch_size)
        total += count
        RETENTION_REMOVED.labels(service=settings.service, kind="idempotency_keys").inc(count)
        if count < settings.retention_batch_size:
            return total


def idempotency_key_sweep() -> BackgroundTask:
    async def sweep(res: Resources[ServiceSettings], stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                removed = await remove_expired_idempotency_keys(res.pool, res.settings, datetime.now(UTC))
                log.info("retention sweep done", removed_idempotency_keys=removed)
            except Exception as exc:
                log.warning("retention sweep failed; will try again", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), res.settings.retention_sweep_seconds)

    return sweep
