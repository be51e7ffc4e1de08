"""Against real PostgreSQL: an episode opened before events were sealed (no key row) is given a key by the worker's
backfill, with its `EpisodeKeyIssued` in the outbox in the same transaction, so that its later events can be sealed;
an episode whose key was destroyed at the end of its retention period is never given a new one."""

import base64
import json
from uuid import UUID

import asyncpg
import pytest
from goals_api import Api, cast

from accord.devtools.testing import outbox_events
from accord.goals.bootstrap import settings
from accord.goals.entrypoints.episode_keys import issue_missing_keys
from accord.shared.events.sealing import WrappingKeys
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


async def test_an_episode_without_a_key_gets_one_announced_and_a_destroyed_key_is_never_replaced(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    old, expired = UUID(await api.episode_with_family(c)), UUID(await api.episode_with_family(c))
    # As before keys existed: no key, and nothing sealed (its events then went out in plaintext).
    await admin_db.execute("DELETE FROM goals.episode_keys WHERE episode_id = $1", old)
    await admin_db.execute("DELETE FROM goals.outbox WHERE headers->>'episode_id' = $1 OR message_key = $1", str(old))
    await admin_db.execute(
        "UPDATE goals.episode_keys SET key = NULL, destroyed_at = now() WHERE episode_id = $1", expired
    )

    async with open_resources(settings()) as res:
        first = await issue_missing_keys(res)
        again = await issue_missing_keys(res)

    assert first["issued_episode_keys"] >= 1 and again == {"issued_episode_keys": 0, "episode_keys_announced_again": 0}
    key = await admin_db.fetchval("SELECT key FROM goals.episode_keys WHERE episode_id = $1", old)
    assert key is not None and len(key) == 32
    assert await admin_db.fetchval("SELECT key FROM goals.episode_keys WHERE episode_id = $1", expired) is None
    # The keys topic is keyed by episode: the old episode's key announced once, none for the destroyed one.
    [issued] = await outbox_events(admin_db, "goals", str(old))
    assert issued["event_type"] == "EpisodeKeyIssued" and issued["tenant_id"] == c.client.tenant
    # Announced wrapped, never in the clear: it opens under the wrapping key named, for this episode only.
    payload = issued["payload"]
    assert "key" not in payload and base64.b64encode(key).decode() not in json.dumps(issued)
    assert WrappingKeys.development().unwrap(payload["wrapping_key_id"], old, payload["wrapped_key"]) == key
    assert [e["event_type"] for e in await outbox_events(admin_db, "goals", str(expired))] == ["EpisodeKeyIssued"]
