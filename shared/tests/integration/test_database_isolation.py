"""Each service's role can use its own schema and nothing else; migrations keep their version there."""

import asyncpg
import pytest

from accord.devtools.infra.stack import Infra
from accord.shared.services import SERVICES

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_cannot_read_or_write_another_services_schema(infra: Infra, service: str) -> None:
    conn = await asyncpg.connect(infra.service_urls[service])
    try:
        assert await conn.fetchval("SELECT current_schema()") == service
        assert await conn.fetchval(f"SELECT count(*) FROM {service}.outbox") >= 0  # its own: fine
        for other in SERVICES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {other}.outbox")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(
                    f"INSERT INTO {other}.inbox (consumer_group, event_id) VALUES ('x', gen_random_uuid())"
                )
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE TABLE {other}.sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE public.sneaky (id int)")
    finally:
        await conn.close()


async def test_migrations_keep_their_version_table_inside_the_services_schema(admin_db: asyncpg.Pool) -> None:
    rows = await admin_db.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'"
    )
    assert sorted(r["table_schema"] for r in rows) == sorted(SERVICES)
    owners = await admin_db.fetch(
        "SELECT schemaname, tableowner FROM pg_tables WHERE tablename IN ('outbox', 'inbox') "
        "AND schemaname = ANY($1::text[])",
        list(SERVICES),
    )
    assert {(r["schemaname"], r["tableowner"]) for r in owners} == {(s, f"accord_{s}") for s in SERVICES}
