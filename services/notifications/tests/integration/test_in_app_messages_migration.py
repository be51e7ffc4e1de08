"""Migration 0005 renames the in-app inbox's tables (`inbox_items` -> `in_app_messages`); the triggers of 0004 keep
numbering each recipient's messages and announcing them on `<schema>_inbox`, before and after, and it undoes."""

import asyncio
from uuid import UUID, uuid4

import asyncpg
import pytest

from accord.shared import migrations

pytestmark = pytest.mark.integration


async def numbered_and_announced(url: str, table: str) -> list[int]:
    """Two messages for one recipient in `table`: their `seq`, checked to be announced with their ids on commit."""
    conn = await asyncpg.connect(url, server_settings={"search_path": "notifications"})
    heard: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener("notifications_inbox", lambda *args: heard.put_nowait(args[-1]))
    try:
        tenant, recipient, seqs = f"t-{uuid4().hex[:8]}", uuid4(), []
        for _ in range(2):
            message = await add(conn, table, tenant, recipient)
            seqs.append(await conn.fetchval(f"SELECT seq FROM {table} WHERE id = $1", message))
            assert await asyncio.wait_for(heard.get(), 10) == f"{recipient} {message}"
        return seqs
    finally:
        await conn.close()


async def add(conn: asyncpg.Connection, table: str, tenant: str, recipient: UUID) -> UUID:
    message = uuid4()
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id, channel, "
            "template_code, link_path, status, due_at) VALUES ($1, $2, $3, $3, $4, $4, 'in_app', 'goal_agreed', "
            "'/goals/x', 'sent', now())",
            message, tenant, uuid4(), recipient,
        )  # fmt: skip
        await conn.execute(
            f"INSERT INTO {table} (id, tenant_id, recipient_id, template_code, link_path) "
            "VALUES ($1, $2, $3, 'goal_agreed', '/goals/x')",
            message, tenant, recipient,
        )  # fmt: skip
    return message


async def test_the_renamed_in_app_messages_are_still_numbered_and_announced_and_the_rename_undoes(
    service_env: dict[str, str],
) -> None:
    url = service_env["ACCORD_NOTIFICATIONS_DATABASE_URL"]
    assert await numbered_and_announced(url, "in_app_messages") == [1, 2]
    # Going down to 0004 drops the episode keys (0010) that the session's other tests gave this service; the keys
    # topic is not read again, so they are put back, or every later consumer would wait for them.
    keys = await _episode_keys(url)
    await asyncio.to_thread(migrations.downgrade, "notifications", url, "0004")
    try:
        assert await numbered_and_announced(url, "inbox_items") == [1, 2]
    finally:
        await asyncio.to_thread(migrations.upgrade, "notifications", url)
        await _episode_keys(url, put_back=keys)
    assert await numbered_and_announced(url, "in_app_messages") == [1, 2]


async def _episode_keys(url: str, put_back: list[asyncpg.Record] | None = None) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url, server_settings={"search_path": "notifications"})
    try:
        if put_back:
            await conn.copy_records_to_table(
                "episode_keys", records=put_back, columns=["episode_id", "tenant_id", "key", "destroyed_at"]
            )
        return list(await conn.fetch("SELECT episode_id, tenant_id, key, destroyed_at FROM episode_keys"))
    finally:
        await conn.close()
