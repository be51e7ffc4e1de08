"""The fault campaign's per-client order check, on rows made by hand: an event applied in an earlier transaction than
an event of the same client written before it is counted; events applied together (one batch, one time) and other
clients' events are not."""

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest

from accord.devtools.faults.invariants import TOPIC, out_of_order
from accord.shared.outbox.ddl import messaging_tables_ddl

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 29, tzinfo=UTC)


async def test_an_event_applied_before_an_earlier_event_of_its_client_is_out_of_order_and_a_batchs_tie_is_not(
    admin_db: asyncpg.Pool,
) -> None:
    schema = f"t_{uuid4().hex[:10]}"
    async with admin_db.acquire() as conn:
        await conn.execute(f"CREATE SCHEMA {schema}")
        for statement in messaging_tables_ddl(schema):
            await conn.execute(statement)

        async def written(client: str, applied_after_seconds: int) -> None:
            event_id = uuid4()
            await conn.execute(
                f"INSERT INTO {schema}.outbox (event_id, topic, message_key, payload, headers) "
                "VALUES ($1, $2, $3, '\\x00', $4::jsonb)",
                event_id,
                TOPIC,
                client,
                json.dumps({"event_id": str(event_id)}),
            )
            await conn.execute(
                f"INSERT INTO {schema}.inbox (consumer_group, event_id, processed_at) VALUES ('g', $1, $2)",
                event_id,
                T0 + timedelta(seconds=applied_after_seconds),
            )

        await written("sam", 10)
        await written("sam", 5)  # written after the one before, applied before it
        await written("sam", 12)
        await written("casey", 1)  # another client: no order with Sam's
        await written("jo", 7)
        await written("jo", 7)  # one batch: the same transaction, the same time

        assert await out_of_order(conn, f"{schema}.outbox", f"{schema}.inbox", "g") == 1
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
