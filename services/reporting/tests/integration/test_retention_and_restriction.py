"""Reporting's retention sweep of delivery outcomes (past their period they go and are counted; younger ones stay),
and a restricted client's own history for their export (hidden from every other read, not from the client's right of
access, in a transaction rolled back afterwards)."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from prometheus_client import REGISTRY
from reporting_scenario import Cast, script

from accord.devtools.testing import rolled_back
from accord.reporting.adapters.repository import Repository
from accord.reporting.adapters.retention import NOTIFICATION_OUTCOMES
from accord.reporting.bootstrap import settings
from accord.reporting.domain.projection import rows_for
from accord.shared.db import Connection, create_pool

pytestmark = pytest.mark.integration
# Long before any other test's facts, so that only this test's outcomes are due.
NOW = datetime(1999, 6, 1, 12, tzinfo=UTC)


async def outcome(conn: Connection, schema: str, tenant: str, at: datetime) -> UUID:
    event_id = uuid4()
    await conn.execute(
        f"INSERT INTO {schema}.notification_outcomes (event_id, tenant_id, client_id, notification_id,"
        " source_event_id, recipient_id, channel, template_code, delivered, permanent, occurred_at)"
        " VALUES ($1, $2, $3, $3, $3, $3, 'email', 'goal_agreed', true, NULL, $4)",
        event_id,
        tenant,
        uuid4(),
        at,
    )
    return event_id


async def test_the_sweep_removes_due_delivery_outcomes_and_counts_them_under_their_kind(service_env: object) -> None:
    config = settings()
    schema, tenant = config.db_schema, f"tenant-{uuid4().hex[:8]}"
    sample = {"service": "reporting", "kind": "notification_outcomes"}
    pool = await create_pool(config)
    try:
        async with pool.acquire() as conn:
            due = [await outcome(conn, schema, tenant, NOW - timedelta(days=91)) for _ in range(3)]
            kept = await outcome(conn, schema, tenant, NOW - timedelta(days=89))
        counted = REGISTRY.get_sample_value("accord_retention_removed_total", sample) or 0.0

        removed = await NOTIFICATION_OUTCOMES.run(pool, config, NOW)

        assert removed == len(due)
        assert REGISTRY.get_sample_value("accord_retention_removed_total", sample) == counted + len(due)
        left = await pool.fetch(f"SELECT event_id FROM {schema}.notification_outcomes WHERE tenant_id = $1", tenant)
        assert [r["event_id"] for r in left] == [kept]
        await pool.execute(f"DELETE FROM {schema}.notification_outcomes WHERE tenant_id = $1", tenant)
    finally:
        await pool.close()


async def test_a_restricted_clients_own_history_keeps_what_every_other_read_hides(service_env: object) -> None:
    config = settings()
    cast = Cast()
    async with rolled_back(config) as conn:
        repo = Repository(conn, config.db_schema)
        for envelope in script(cast, datetime(2026, 5, 1, 12, tzinfo=UTC)):
            await repo.add(rows_for(envelope, envelope.open()))
        client = cast.clients[0]
        whole = await repo.history(cast.tenant, client)
        assert whole.episodes and whole.entries

        await repo.apply_erasure(cast.tenant, client, uuid4())

        hidden = await repo.history(cast.tenant, client)
        assert not hidden.episodes and not hidden.entries
        own = await repo.own_history(cast.tenant, client)
        assert own == whole
