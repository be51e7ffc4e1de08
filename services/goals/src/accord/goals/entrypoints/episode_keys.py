"""The announcements of the episodes' data keys that the worker makes (`accord.shared.episode_keys`), at start and
then every `retention_sweep_seconds`, each with its `EpisodeKeyIssued` in the outbox in the same transaction:
- a key for every episode opened before events were sealed (until an old episode has its key, the goals and progress
  services refuse to publish its events: never in plaintext);
- every live key again under the current wrapping key, when it was last announced under another (the wrapping key
  was rotated) or before keys were wrapped. The topic is compacted by episode, so the new record replaces the old
  one there, and the old wrapping key can be dropped once compaction has run.
Counts go to one log line; no identifiers."""

import asyncio

from accord.goals.adapters.episode_keys import (
    create_key,
    keyless_episodes,
    keys_announced_under_another,
    note_announced,
)
from accord.goals.settings import Settings
from accord.shared.episode_keys import key_issued
from accord.shared.events import Envelope
from accord.shared.runtime import BackgroundTask, Resources, periodic

BATCH = 100


async def issue_missing_keys(res: Resources[Settings]) -> dict[str, int]:
    """Gives every episode without a key one and announces again every key announced under another wrapping key, a
    transaction per hundred; answers how many of each."""
    schema, wrapping = res.settings.db_schema, res.settings.episode_key_wrapping()
    issued = announced_again = 0
    while True:
        async with res.pool.acquire() as conn, conn.transaction():
            episodes = await keyless_episodes(conn, schema, BATCH)
            for tenant_id, episode_id, client_id in episodes:
                key = await create_key(conn, schema, tenant_id, episode_id, wrapping.current)
                event = key_issued(client_id, episode_id, key, wrapping)
                await res.outbox.add(conn, Envelope.wrap(event, producer=res.settings.service, tenant_id=tenant_id))
        issued += len(episodes)
        if len(episodes) < BATCH:
            break
    while True:
        async with res.pool.acquire() as conn, conn.transaction():
            stale = await keys_announced_under_another(conn, schema, wrapping.current, BATCH)
            await res.outbox.add_many(
                conn,
                [
                    Envelope.wrap(
                        key_issued(client, episode, key, wrapping), producer=res.settings.service, tenant_id=t
                    )
                    for t, episode, client, key in stale
                ],
            )
            await note_announced(conn, schema, [episode for _, episode, _, _ in stale], wrapping.current)
        announced_again += len(stale)
        if len(stale) < BATCH:
            return {"issued_episode_keys": issued, "episode_keys_announced_again": announced_again}


def episode_key_backfill() -> BackgroundTask:
    async def backfill(res: Resources[Settings], stop: asyncio.Event) -> None:
        await periodic("episode key announcements", res.settings.retention_sweep_seconds, issue_missing_keys)(res, stop)

    return backfill
