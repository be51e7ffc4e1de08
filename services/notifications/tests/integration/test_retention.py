"""Retention against the real database: what is past its period goes, in bounded batches; everything else stays.

The sweep is given a fixed `now`; records are written with their `created_at` set relative to it, so nothing waits.
Other tests' records were created moments ago and are never due under periods of a day or more.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from prometheus_client import REGISTRY

from accord.devtools.testing import eventually
from accord.notifications.adapters.repository import UnitOfWork
from accord.notifications.handlers.retention import enforce_retention, retention_sweep
from accord.notifications.settings import Settings
from accord.shared.outbox import Outbox
from accord.shared.runtime import run_worker

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
KEEPING_TENANT = f"keeping-{uuid4()}"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def delivery(
    db: asyncpg.Pool, created_at: datetime, *, status: str = "sent", tenant: str = "t1", in_app: bool = False
) -> UUID:
    """A delivery with one line of attempt log, and its in-app message when `in_app`, all created at `created_at`."""
    delivery_id = uuid4()
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id, "
            "channel, template_code, link_path, status, due_at, created_at) "
            "VALUES ($1, $2, $3, $3, $4, $4, $5, 'goal_agreed', '/', $6, $7, $7)",
            delivery_id,
            tenant,
            uuid4(),
            uuid4(),
            "in_app" if in_app else "email",
            status,
            created_at,
        )
        await conn.execute(
            "INSERT INTO delivery_log (delivery_id, at, status) VALUES ($1, $2, $3)", delivery_id, created_at, status
        )
        if in_app:
            await conn.execute(
                "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path, created_at) "
                "VALUES ($1, $2, $3, 'goal_agreed', '/', $4)",
                delivery_id,
                tenant,
                uuid4(),
                created_at,
            )
    return delivery_id


async def held_trigger(db: asyncpg.Pool, created_at: datetime) -> UUID:
    event_id = uuid4()
    await db.execute(
        "INSERT INTO pending_triggers (event_id, tenant_id, client_id, envelope, created_at) "
        "VALUES ($1, 't1', $2, '{}'::jsonb, $3)",
        event_id,
        uuid4(),
        created_at,
    )
    return event_id


async def idempotency_key(db: asyncpg.Pool, created_at: datetime) -> str:
    key = str(uuid4())
    await db.execute(
        "INSERT INTO idempotency_keys (tenant_id, actor_id, key, request_hash, status, body, created_at) "
        "VALUES ('t1', $1, $2, 'h', 201, '{}'::jsonb, $3)",
        uuid4(),
        key,
        created_at,
    )
    return key


async def deliveries_left(db: asyncpg.Pool, ids: list[UUID]) -> set[UUID]:
    return {r["id"] for r in await db.fetch("SELECT id FROM deliveries WHERE id = ANY($1::uuid[])", ids)}


def removed_metric(kind: str) -> float:
    return REGISTRY.get_sample_value("accord_notifications_retention_removed_total", {"kind": kind}) or 0.0


@pytest.fixture
def retention_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"retention_tenant_days": {KEEPING_TENANT: {"in_app_messages": 365}}, "retention_batch_size": 2}
    )


async def test_deliveries_and_in_app_messages_past_ninety_days_go_and_the_rest_stays(
    db: asyncpg.Pool, retention_settings: Settings
) -> None:
    old_email = await delivery(db, days_ago(91))
    old_in_app = await delivery(db, days_ago(91), in_app=True)
    recent = await delivery(db, days_ago(89))
    still_pending = await delivery(db, days_ago(200), status="pending")
    kept_by_tenant = await delivery(db, days_ago(100), in_app=True, tenant=KEEPING_TENANT)
    before = removed_metric("deliveries")

    removed = await enforce_retention(UnitOfWork(db, Outbox(retention_settings.db_schema)), retention_settings, NOW)

    every = [old_email, old_in_app, recent, still_pending, kept_by_tenant]
    assert await deliveries_left(db, every) == {recent, still_pending, kept_by_tenant}
    messages = await db.fetch("SELECT id FROM in_app_messages WHERE id = ANY($1::uuid[])", every)
    assert {r["id"] for r in messages} == {kept_by_tenant}
    log = await db.fetch("SELECT DISTINCT delivery_id FROM delivery_log WHERE delivery_id = ANY($1::uuid[])", every)
    assert {r["delivery_id"] for r in log} == {recent, still_pending, kept_by_tenant}
    assert removed["deliveries"] >= 2
    assert removed_metric("deliveries") - before == removed["deliveries"]


async def test_held_triggers_go_after_thirty_days_and_idempotency_keys_after_theirs(
    db: asyncpg.Pool, retention_settings: Settings
) -> None:
    old_trigger, new_trigger = await held_trigger(db, days_ago(31)), await held_trigger(db, days_ago(29))
    old_key, new_key = await idempotency_key(db, days_ago(31)), await idempotency_key(db, days_ago(29))

    await enforce_retention(UnitOfWork(db, Outbox(retention_settings.db_schema)), retention_settings, NOW)

    triggers = await db.fetch(
        "SELECT event_id FROM pending_triggers WHERE event_id = ANY($1::uuid[])", [old_trigger, new_trigger]
    )
    assert {r["event_id"] for r in triggers} == {new_trigger}
    keys = await db.fetch("SELECT key FROM idempotency_keys WHERE key = ANY($1::text[])", [old_key, new_key])
    assert {r["key"] for r in keys} == {new_key}


async def test_more_due_records_than_one_batch_all_go_in_several_batches(
    db: asyncpg.Pool, retention_settings: Settings
) -> None:
    due = [await held_trigger(db, days_ago(40)) for _ in range(5)]
    before = removed_metric("held_triggers")

    removed = await enforce_retention(UnitOfWork(db, Outbox(retention_settings.db_schema)), retention_settings, NOW)

    assert removed["held_triggers"] >= 5  # batches of 2
    left = await db.fetchval("SELECT count(*) FROM pending_triggers WHERE event_id = ANY($1::uuid[])", due)
    assert left == 0
    assert removed_metric("held_triggers") - before == removed["held_triggers"]


async def test_the_worker_runs_the_retention_sweep(db: asyncpg.Pool, settings: Settings) -> None:
    due, kept = await held_trigger(db, days_ago(31)), await held_trigger(db, days_ago(1))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, [], stop, background=[retention_sweep(3600)]))
    try:
        await eventually(
            lambda: db.fetchval("SELECT NOT EXISTS (SELECT 1 FROM pending_triggers WHERE event_id = $1)", due)
        )
    finally:
        stop.set()
        await worker
    assert await db.fetchval("SELECT count(*) FROM pending_triggers WHERE event_id = $1", kept) == 1
