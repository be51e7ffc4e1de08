"""Notification outcomes are kept as long as the notifications service keeps its deliveries, then removed in
bounded batches by the worker's retention sweep (in a transaction rolled back after the test)."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from accord.devtools.testing import rolled_back
from accord.reporting.adapters.retention import NOTIFICATION_OUTCOMES, remove_notification_outcomes
from accord.reporting.bootstrap import settings
from accord.shared.db import Connection
from accord.shared.retention import removal_statement

pytestmark = pytest.mark.integration
NOW = datetime(2000, 6, 1, 12, tzinfo=UTC)  # long before any other test's outcomes, which the sweep would remove too


async def outcome(conn: Connection, schema: str, occurred_at: datetime) -> UUID:
    event_id = uuid4()
    await conn.execute(
        f"INSERT INTO {schema}.notification_outcomes (event_id, tenant_id, client_id, notification_id, "
        "source_event_id, recipient_id, channel, template_code, delivered, permanent, occurred_at) "
        "VALUES ($1, 't-retention', $2, $3, $4, $5, 'email', 'milestone_reached', true, null, $6)",
        event_id,
        uuid4(),
        uuid4(),
        uuid4(),
        uuid4(),
        occurred_at,
    )
    return event_id


async def test_outcomes_older_than_their_period_go_in_batches_and_newer_ones_stay(service_env: dict[str, str]) -> None:
    config = settings()
    days = NOTIFICATION_OUTCOMES.days(config)
    assert days == config.retention_notification_outcomes_days == 90
    before = NOW - timedelta(days=days)
    async with rolled_back(config) as conn:
        schema = config.db_schema
        old = [await outcome(conn, schema, before - timedelta(days=n + 1)) for n in range(3)]
        kept = await outcome(conn, schema, before + timedelta(hours=1))
        assert await remove_notification_outcomes(conn, schema, before, 2) == 2  # a bounded batch
        assert await remove_notification_outcomes(conn, schema, before, 2) == 1
        assert await remove_notification_outcomes(conn, schema, before, 2) == 0
        left = {
            r["event_id"]
            for r in await conn.fetch(
                f"SELECT event_id FROM {schema}.notification_outcomes WHERE event_id = ANY($1::uuid[])", [*old, kept]
            )
        }
        assert left == {kept}


async def test_the_sweep_finds_the_oldest_outcomes_through_an_index_rather_than_reading_the_whole_table(
    service_env: dict[str, str],
) -> None:
    config = settings()
    async with rolled_back(config) as conn:
        schema = config.db_schema
        # The planner would read a table this small from end to end anyway: forbid that, and see what is left to it.
        await conn.execute("SET LOCAL enable_seqscan = off")
        # EXPLAIN (without ANALYZE) plans the sweep's own DELETE without running it.
        statement = removal_statement(f"{schema}.notification_outcomes", "event_id", "occurred_at")
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {statement}", NOW, 100))
    assert "notification_outcomes_by_time" in plan, plan
