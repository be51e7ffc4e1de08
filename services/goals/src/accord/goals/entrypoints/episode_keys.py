"""Keys for the episodes opened before events were sealed: the worker gives each episode that has no key one, with
its `EpisodeKeyIssued` in the outbox in the same transaction (as opening an episode does), at start and then every
`retention_sweep_seconds`. Until an old episode has its key, the goals and progress services refuse to publish its
events (never in plaintext), so the worker does this first. Counts go to one log line; no identifiers."""

import asyncio

from accord.goals.adapters.episode_keys import keyless_episodes
from accord.goals.settings import Settings
from accord.shared.episode_keys import EpisodeKeys, key_issued
from accord.shared.events import Envelope
from accord.shared.runtime import BackgroundTask, Resources, periodic

BATCH = 100


async def issue_missing_keys(res: Resources[Settings]) -> dict[str, int]:
    """Gives every episode without a key one, a transaction per hundred; answers how many were issued."""
    schema, issued, wrapping = res.settings.db_schema, 0, res.settings.episode_key_wrapping()
    while True:
        async with res.pool.acquire() as conn, conn.transaction():
            episodes = await keyless_episodes(conn, schema, BATCH)
            for tenant_id, episode_id, client_id in episodes:
                key = await EpisodeKeys(schema).create(conn, tenant_id, episode_id)
                event = key_issued(client_id, episode_id, key, wrapping)
                await res.outbox.add(conn, Envelope.wrap(event, producer=res.settings.service, tenant_id=tenant_id))
        issued += len(episodes)
        if len(episodes) < BATCH:
            return {"issued_episode_keys": issued}


def episode_key_backfill() -> BackgroundTask:
    async def backfill(res: Resources[Settings], stop: asyncio.Event) -> None:
        await periodic("episode key backfill", res.settings.retention_sweep_seconds, issue_missing_keys)(res, stop)

    return backfill
