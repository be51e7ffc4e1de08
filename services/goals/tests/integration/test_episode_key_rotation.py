"""After the key-encryption key is rotated, the goals worker announces every live episode key again under the new
wrapping key (the old records then leave the compacted topic), once; a destroyed key is never announced again. On a
database of its own: the announcement is of every key the service holds, and the session's other services, given only
the development wrapping key, must not be sent keys wrapped under one they do not have."""

import asyncio
import base64
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from pydantic import SecretStr

from accord.devtools.infra import postgres
from accord.devtools.infra.provision import new_passwords, provision
from accord.goals.adapters.episode_keys import create_key
from accord.goals.bootstrap import settings
from accord.goals.entrypoints.episode_keys import issue_missing_keys
from accord.shared import migrations
from accord.shared.events.sealing import WrappingKeys
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


@pytest.fixture
async def goals_database(tmp_path: Path) -> AsyncIterator[str]:
    cluster = await asyncio.to_thread(postgres.start, tmp_path / "postgres", secrets.token_urlsafe(24))
    try:
        url = (await provision(cluster.admin_url, new_passwords()))["goals"]
        await asyncio.to_thread(migrations.upgrade, "goals", url)
        yield url
    finally:
        await asyncio.to_thread(postgres.stop, cluster.data)


async def _episode(conn: asyncpg.Connection, announced_under: str | None) -> tuple[UUID, bytes]:
    episode = uuid4()
    await conn.execute(
        "INSERT INTO goals.episodes (episode_id, tenant_id, client_id, lead_therapist_id, team_id, status, opened_at,"
        " doc, revision) VALUES ($1, 't', $2, $3, $4, 'active', now(), '{}', 1)",
        episode,
        uuid4(),
        uuid4(),
        uuid4(),
    )
    async with conn.transaction():
        key = await create_key(conn, "goals", "t", episode, "2026-01")
        await conn.execute(
            "UPDATE goals.episode_keys SET announced_under = $2 WHERE episode_id = $1", episode, announced_under
        )
    return episode, key


async def _announced(conn: asyncpg.Connection) -> dict[UUID, dict[str, str]]:
    rows = await conn.fetch("SELECT payload FROM goals.outbox WHERE topic = 'accord.episode-keys.v1' ORDER BY id")
    payloads = [json.loads(r["payload"])["payload"] for r in rows]
    return {UUID(p["episode_id"]): p for p in payloads}


async def test_a_rotated_wrapping_key_has_every_live_key_announced_again_under_it_once(
    service_env: dict[str, str], goals_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_GOALS_DATABASE_URL", goals_database)
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    rotated = settings().model_copy(
        update={
            "episode_key_wrapping_keys": {
                "2026-01": SecretStr(base64.b64encode(old).decode()),
                "2026-12": SecretStr(base64.b64encode(new).decode()),
            },
            "episode_key_wrapping_key_id": "2026-12",
        }
    )
    conn = await asyncpg.connect(goals_database)
    try:
        (under_old, old_key), (unwrapped_era, era_key) = await _episode(conn, "2026-01"), await _episode(conn, None)
        await _episode(conn, "2026-12")  # announced under the current one already
        destroyed, _ = await _episode(conn, "2026-01")
        await conn.execute(
            "UPDATE goals.episode_keys SET key = NULL, destroyed_at = now() WHERE episode_id = $1", destroyed
        )

        async with open_resources(rotated) as res:
            first = await issue_missing_keys(res)
            again = await issue_missing_keys(res)

        assert first == {"issued_episode_keys": 0, "episode_keys_announced_again": 2}
        assert again == {"issued_episode_keys": 0, "episode_keys_announced_again": 0}
        announced = await _announced(conn)
        assert announced.keys() == {under_old, unwrapped_era}  # not the current one's, nor the destroyed one's
        wrapping = WrappingKeys({"2026-12": new}, "2026-12")  # the new one alone opens them
        for episode, key in ((under_old, old_key), (unwrapped_era, era_key)):
            assert announced[episode]["wrapping_key_id"] == "2026-12"
            assert wrapping.unwrap("2026-12", episode, announced[episode]["wrapped_key"]) == key
        noted = await conn.fetch("SELECT episode_id, announced_under FROM goals.episode_keys WHERE key IS NOT NULL")
        assert {r["announced_under"] for r in noted} == {"2026-12"}
    finally:
        await conn.close()
