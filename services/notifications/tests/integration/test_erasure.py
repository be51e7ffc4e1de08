"""An erasure decision applied to the notifications service's tables: every app-only record of the client goes
(e-mail address, push subscription, preferences, deliveries and in-app messages to them or about them, held events),
another client's stay, and applying it twice is the same as once."""

from uuid import UUID, uuid4

import asyncpg
import pytest

from accord.notifications.adapters.erasure import Erasure
from accord.notifications.settings import Settings

pytestmark = pytest.mark.integration
TENANT = f"erasure-{uuid4()}"


async def plant(db: asyncpg.Pool, client: UUID, therapist: UUID) -> None:
    """The client's contact points and preferences, a message to them, one to their therapist about them, and a held
    event of theirs."""
    async with db.acquire() as conn, conn.transaction():
        for channel, address in (("email", f"{client}@example.org"), ("push", f"https://push.example/{client}")):
            await conn.execute(
                "INSERT INTO contact_points (id, tenant_id, person_id, channel, address) VALUES ($1, $2, $3, $4, $5)",
                uuid4(),
                TENANT,
                client,
                channel,
                address,
            )
        await conn.execute(
            "INSERT INTO preferences (tenant_id, person_id, locale, time_zone, channels, clinician_delivery)"
            " VALUES ($1, $2, 'en', 'Europe/London', '{email}', 'immediate')",
            TENANT,
            client,
        )
        for recipient in (client, therapist):
            delivery_id = uuid4()
            await conn.execute(
                "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id,"
                " channel, template_code, link_path, status, due_at) VALUES ($1, $2, $3, $3, $4, $5, 'in_app',"
                " 'goal_agreed', '/', 'sent', now())",
                delivery_id,
                TENANT,
                uuid4(),
                client,
                recipient,
            )
            await conn.execute(
                "INSERT INTO delivery_log (delivery_id, at, status) VALUES ($1, now(), 'sent')", delivery_id
            )
            await conn.execute(
                "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path)"
                " VALUES ($1, $2, $3, 'goal_agreed', '/')",
                delivery_id,
                TENANT,
                recipient,
            )
        await conn.execute(
            "INSERT INTO pending_triggers (event_id, tenant_id, client_id, envelope) VALUES ($1, $2, $3, '{}'::jsonb)",
            uuid4(),
            TENANT,
            client,
        )


async def held_about(db: asyncpg.Pool, client: UUID) -> dict[str, int]:
    counts = {}
    for table, column in (
        ("contact_points", "person_id"),
        ("preferences", "person_id"),
        ("deliveries", "client_id"),
        ("pending_triggers", "client_id"),
    ):
        counts[table] = await db.fetchval(
            f"SELECT count(*) FROM {table} WHERE tenant_id = $1 AND {column} = $2",
            TENANT,
            client,
        )
    counts["in_app_messages"] = await db.fetchval(
        "SELECT count(*) FROM in_app_messages m JOIN deliveries d USING (id) WHERE d.client_id = $1", client
    )
    return counts


async def test_the_clients_app_only_data_is_erased_another_clients_stays_and_twice_is_once(
    db: asyncpg.Pool, settings: Settings
) -> None:
    sam, casey, therapist = uuid4(), uuid4(), uuid4()
    await plant(db, sam, therapist)
    await plant(db, casey, therapist)
    planted = await held_about(db, casey)
    assert planted == {
        "contact_points": 2,
        "preferences": 1,
        "deliveries": 2,
        "pending_triggers": 1,
        "in_app_messages": 2,
    }

    for _ in range(2):
        async with db.acquire() as conn, conn.transaction():
            erasure = Erasure(conn, settings.db_schema)
            await erasure.apply_erasure(TENANT, sam, uuid4())
            assert await erasure.is_restricted(TENANT, sam) and not await erasure.is_restricted(TENANT, casey)

    assert set((await held_about(db, sam)).values()) == {0}
    assert await held_about(db, casey) == planted
    assert await db.fetchval("SELECT count(*) FROM restricted_clients WHERE client_id = $1", sam) == 1
