"""Remembered idempotency keys past their period go, in bounded batches, and the rest stay (a fixed `now`)."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from uuid import UUID, uuid4

import asyncpg
import pytest
from prometheus_client import REGISTRY

from accord.devtools.testing import Sandbox, eventually
from accord.shared.exports import export_parts_ddl
from accord.shared.idempotency import idempotency_ddl
from accord.shared.retention import (
    idempotency_key_sweep,
    remove_expired_dead_letter_records,
    remove_expired_export_parts,
    remove_expired_idempotency_keys,
)
from accord.shared.runtime import Resources
from accord.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class SandboxSettings(ServiceSettings):
    service: ClassVar[str] = "test"
    schema_name: str = ""

    @property
    def db_schema(self) -> str:
        return self.schema_name


def settings_for(sandbox: Sandbox) -> SandboxSettings:
    return SandboxSettings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sandbox.dsn,
        KAFKA_BOOTSTRAP_SERVERS=sandbox.bootstrap,
        ACCORD_OIDC_ISSUER="https://id.example",
        ACCORD_OIDC_JWKS='{"keys": []}',
        schema_name=sandbox.schema,
        retention_batch_size=2,
    )


async def remember(pool: asyncpg.Pool, schema: str, created_at: datetime) -> str:
    key = str(uuid4())
    await pool.execute(
        f"INSERT INTO {schema}.idempotency_keys (tenant_id, actor_id, key, request_hash, status, body, created_at) "
        "VALUES ('t1', $1, $2, 'h', 201, '{}'::jsonb, $3)",
        uuid4(),
        key,
        created_at,
    )
    return key


async def keys_left(pool: asyncpg.Pool, schema: str) -> set[str]:
    return {r["key"] for r in await pool.fetch(f"SELECT key FROM {schema}.idempotency_keys")}


@pytest.fixture
async def keys_sandbox(sandbox: Sandbox) -> Sandbox:
    for statement in idempotency_ddl(sandbox.schema):
        await sandbox.pool.execute(statement)
    return sandbox


async def test_keys_older_than_their_period_go_in_batches_and_younger_ones_stay(keys_sandbox: Sandbox) -> None:
    pool, schema = keys_sandbox.pool, keys_sandbox.schema
    old = [await remember(pool, schema, NOW - timedelta(days=31)) for _ in range(5)]
    young = await remember(pool, schema, NOW - timedelta(days=29))
    settings = settings_for(keys_sandbox)
    before = REGISTRY.get_sample_value(
        "accord_retention_removed_total", {"service": "test", "kind": "idempotency_keys"}
    )

    removed = await remove_expired_idempotency_keys(pool, settings, NOW)

    assert removed == len(old)  # batches of 2
    assert await keys_left(pool, schema) == {young}
    after = REGISTRY.get_sample_value("accord_retention_removed_total", {"service": "test", "kind": "idempotency_keys"})
    assert after - (before or 0.0) == len(old)


async def test_the_sweep_removes_due_keys_when_a_worker_starts_it(keys_sandbox: Sandbox) -> None:
    pool, schema = keys_sandbox.pool, keys_sandbox.schema
    due = await remember(pool, schema, datetime.now(UTC) - timedelta(days=31))
    kept = await remember(pool, schema, datetime.now(UTC) - timedelta(days=1))
    stop = asyncio.Event()
    res = Resources(settings_for(keys_sandbox), pool, None, None)  # type: ignore[arg-type]
    task = asyncio.create_task(idempotency_key_sweep()(res, stop))
    try:
        await eventually(lambda: _gone(pool, schema, due))
    finally:
        stop.set()
        await task
    assert kept in await keys_left(pool, schema)


async def _gone(pool: asyncpg.Pool, schema: str, key: str) -> bool:
    return key not in await keys_left(pool, schema)


async def store_part(pool: asyncpg.Pool, schema: str, stored_at: datetime) -> UUID:
    export_id = uuid4()
    await pool.execute(
        f"INSERT INTO {schema}.export_parts (export_id, tenant_id, client_id, requested_by, records, body, stored_at) "
        "VALUES ($1, 't1', $2, $2, 0, '{}'::jsonb, $3)",
        export_id,
        uuid4(),
        stored_at,
    )
    return export_id


async def parts_left(pool: asyncpg.Pool, schema: str) -> set[UUID]:
    return {r["export_id"] for r in await pool.fetch(f"SELECT export_id FROM {schema}.export_parts")}


async def test_export_parts_past_their_period_go_in_batches_and_younger_ones_stay(keys_sandbox: Sandbox) -> None:
    pool, schema = keys_sandbox.pool, keys_sandbox.schema
    for statement in export_parts_ddl(schema):
        await pool.execute(statement)
    for _ in range(3):
        await store_part(pool, schema, NOW - timedelta(days=31))
    young = await store_part(pool, schema, NOW - timedelta(days=29))
    before = REGISTRY.get_sample_value("accord_retention_removed_total", {"service": "test", "kind": "export_parts"})

    removed = await remove_expired_export_parts(pool, settings_for(keys_sandbox), NOW)

    assert removed == 3  # batches of 2
    assert await parts_left(pool, schema) == {young}
    after = REGISTRY.get_sample_value("accord_retention_removed_total", {"service": "test", "kind": "export_parts"})
    assert after - (before or 0.0) == 3


async def test_the_sweep_of_a_service_with_exports_removes_due_parts(keys_sandbox: Sandbox) -> None:
    pool, schema = keys_sandbox.pool, keys_sandbox.schema
    for statement in export_parts_ddl(schema):
        await pool.execute(statement)
    due = await store_part(pool, schema, datetime.now(UTC) - timedelta(days=31))
    kept = await store_part(pool, schema, datetime.now(UTC) - timedelta(days=1))
    stop = asyncio.Event()
    res = Resources(settings_for(keys_sandbox), pool, None, None)  # type: ignore[arg-type]
    task = asyncio.create_task(idempotency_key_sweep(export_parts=True)(res, stop))
    try:
        await eventually(lambda: _part_gone(pool, schema, due))
    finally:
        stop.set()
        await task
    assert kept in await parts_left(pool, schema)


async def _part_gone(pool: asyncpg.Pool, schema: str, export_id: UUID) -> bool:
    return export_id not in await parts_left(pool, schema)


async def test_the_record_of_a_dead_letter_goes_when_its_topic_drops_the_message_and_younger_ones_stay(
    sandbox: Sandbox,
) -> None:
    pool, schema, settings = sandbox.pool, sandbox.schema, settings_for(sandbox)
    days = settings.retention_dead_letter_records_days

    async def dead_lettered(at: datetime, replay_of: str = "") -> UUID:
        event_id = uuid4()
        await pool.execute(
            f"INSERT INTO {schema}.dead_letter_records (consumer_group, event_id, replay_of, dead_lettered_at) "
            "VALUES ('g', $1, $2, $3)",
            event_id,
            replay_of,
            at,
        )
        return event_id

    old = [await dead_lettered(NOW - timedelta(days=days, hours=1), replay) for replay in ("", "", "t:0:1")]
    young = await dead_lettered(NOW - timedelta(days=days - 1))

    assert await remove_expired_dead_letter_records(pool, settings, NOW) == len(old)
    left = {r["event_id"] for r in await pool.fetch(f"SELECT event_id FROM {schema}.dead_letter_records")}
    assert left == {young}
