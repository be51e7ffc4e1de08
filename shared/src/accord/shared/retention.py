"""Retention of every service's shared bookkeeping, removed by a loop in the worker in bounded batches (short
transactions): remembered idempotency keys go after `retention_idempotency_keys_days`, the record of what each
consumer group dead-lettered after `retention_dead_letter_records_days` (as long as the dead-letter topic keeps the
message, after which nothing is left to replay), and, in a service that stores parts of subject access exports, each
part after `retention_export_parts_days` (the requester has had that long to download it; the request itself and its
audit rows stay).

The notifications service has a sweep of its own with per-tenant periods (`accord.notifications.handlers.retention`),
which removes its dead-letter records with `remove_expired_dead_letter_records` from here. Audit rows are not removed
here: they are kept for the clinical retention period, and go with the records of an episode at its end
(`accord.shared.clinical_retention`).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from prometheus_client import Counter

from accord.shared.db import Connection
from accord.shared.runtime import BackgroundTask, Resources, periodic
from accord.shared.settings import ServiceSettings

RETENTION_REMOVED = Counter(
    "accord_retention_removed_total", "Records removed because their retention period was over", ["service", "kind"]
)


async def remove_idempotency_keys(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` keys remembered before `before`; returns how many went."""
    table, key = f"{schema}.idempotency_keys", ("tenant_id", "actor_id", "key")
    return await remove_older(conn, table, key, "created_at", before, limit)


async def remove_dead_letter_records(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` records of dead letters sent before `before`; returns how many went."""
    table, key = f"{schema}.dead_letter_records", ("consumer_group", "event_id", "replay_of")
    return await remove_older(conn, table, key, "dead_lettered_at", before, limit)


def removal_statement(table: str, key: str | Sequence[str], time_column: str) -> str:
    """The DELETE `remove_older` runs ($1: before, $2: limit), apart so that a test can EXPLAIN the statement itself
    and see which index the sweep's search uses."""
    columns = [key] if isinstance(key, str) else list(key)
    listed = ", ".join(columns)
    matched = " AND ".join(f"t.{c} = due.{c}" for c in columns)
    return f"""
        WITH due AS (
            SELECT {listed} FROM {table} WHERE {time_column} < $1
            ORDER BY {time_column} LIMIT $2 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM {table} t USING due WHERE {matched}"""


async def remove_older(
    conn: Connection, table: str, key: str | Sequence[str], time_column: str, before: datetime, limit: int
) -> int:
    """Deletes at most `limit` rows of `table` (schema-qualified, keyed by the column or columns `key`) whose
    `time_column` is before `before`, oldest first, skipping rows another sweep holds; returns how many went. The
    statement every service's kinds of record share (the caller, an adapter, names its own table)."""
    status = await conn.execute(removal_statement(table, key, time_column), before, limit)
    return int(status.rsplit(" ", 1)[-1])


async def remove_export_parts(conn: Connection, schema: str, before: datetime, limit: int) -> int:
    """Deletes at most `limit` export parts stored before `before`; returns how many went."""
    return await remove_older(conn, f"{schema}.export_parts", "export_id", "stored_at", before, limit)


Remover = Callable[[Connection, str, datetime, int], Awaitable[int]]


async def _remove_all(
    pool: asyncpg.Pool, settings: ServiceSettings, kind: str, remove: Remover, before: datetime
) -> int:
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            count = await remove(conn, settings.db_schema, before, settings.retention_batch_size)
        total += count
        RETENTION_REMOVED.labels(service=settings.service, kind=kind).inc(count)
        if count < settings.retention_batch_size:
            return total


async def remove_expired_idempotency_keys(pool: asyncpg.Pool, settings: ServiceSettings, now: datetime) -> int:
    """Removes every key past its period at `now`, one transaction per batch; returns how many went."""
    before = now - timedelta(days=settings.retention_idempotency_keys_days)
    return await _remove_all(pool, settings, "idempotency_keys", remove_idempotency_keys, before)


async def remove_expired_dead_letter_records(pool: asyncpg.Pool, settings: ServiceSettings, now: datetime) -> int:
    """Removes the record of every dead letter past its period at `now`; returns how many went."""
    before = now - timedelta(days=settings.retention_dead_letter_records_days)
    return await _remove_all(pool, settings, "dead_letter_records", remove_dead_letter_records, before)


async def remove_expired_export_parts(pool: asyncpg.Pool, settings: ServiceSettings, now: datetime) -> int:
    """Removes every export part past its period at `now`, one transaction per batch; returns how many went."""
    before = now - timedelta(days=settings.retention_export_parts_days)
    return await _remove_all(pool, settings, "export_parts", remove_export_parts, before)


@dataclass(frozen=True)
class RetentionJob:
    """A kind of record of the service's own, removed by `remove` (an adapter's statement) once `days(settings)`
    days old, in the same sweep, batches and metrics as the shared kinds."""

    kind: str
    remove: Remover
    days: Callable[[Any], int]

    async def run(self, pool: asyncpg.Pool, settings: ServiceSettings, now: datetime) -> int:
        before = now - timedelta(days=self.days(settings))
        return await _remove_all(pool, settings, self.kind, self.remove, before)


def idempotency_key_sweep(*, export_parts: bool = False, own: Sequence[RetentionJob] = ()) -> BackgroundTask:
    """The worker's sweep; `export_parts` for a service that stores parts of subject access exports, `own` for the
    service's own kinds of record."""

    async def step(res: Resources[ServiceSettings]) -> dict[str, int]:
        now, pool, settings = datetime.now(UTC), res.pool, res.settings
        removed = {
            "removed_idempotency_keys": await remove_expired_idempotency_keys(pool, settings, now),
            "removed_dead_letter_records": await remove_expired_dead_letter_records(pool, settings, now),
        }
        if export_parts:
            removed["removed_export_parts"] = await remove_expired_export_parts(pool, settings, now)
        for job in own:
            removed[f"removed_{job.kind}"] = await job.run(pool, settings, now)
        return removed

    async def sweep(res: Resources[ServiceSettings], stop: asyncio.Event) -> None:
        await periodic("retention sweep", res.settings.retention_sweep_seconds, step)(res, stop)

    return sweep
