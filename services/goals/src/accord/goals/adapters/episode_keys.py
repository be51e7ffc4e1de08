"""The goals service's side of the episodes' data keys (`accord.shared.episode_keys`): making a key, finding the
episodes whose key must be announced (again), and the episode an event is about where the event names only its goal
(`GoalPaused`, ...), so that the outbox seals it under that episode's key."""

from collections.abc import Sequence
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, EpisodesRead, FoundEpisodes, Sealer
from accord.shared.events import Envelope
from accord.shared.events.sealing import new_key


def sealer(schema: str) -> Sealer:
    # The episode's key read with it (one round trip); an episode with no key row is left out of the keys found, so
    # the sealer looks it up again and refuses to publish.
    by_goal = (
        "SELECT g.goal_id, g.episode_id, k.episode_id IS NOT NULL AS key_here, k.key"
        f" FROM {schema}.goals g LEFT JOIN {schema}.episode_keys k ON k.episode_id = g.episode_id"
        " WHERE g.goal_id = ANY($1::uuid[])"
    )

    async def episodes_of(conn: Connection, envelopes: Sequence[Envelope], read: EpisodesRead) -> FoundEpisodes:
        # `read`: nothing is read ahead by the goals service's commands (its events mostly name their episode).
        goals = [envelope.payload.get("goal_id") for envelope in envelopes]
        named = {UUID(str(g)) for g in goals if g is not None}
        rows = await conn.fetch(by_goal, list(named)) if named else []
        episodes = {r["goal_id"]: r["episode_id"] for r in rows}
        if missing := {g for g in named if episodes.get(g) is None}:
            # Never publish it in plaintext: its goal must be here, in the transaction that announces the change.
            raise LookupError(f"{len(missing)} event(s) name a goal this service does not hold")
        keys = {r["episode_id"]: r["key"] for r in rows if r["key_here"]}
        return FoundEpisodes([None if g is None else episodes[UUID(str(g))] for g in goals], keys)

    return Sealer(EpisodeKeys(schema), episodes_of)


async def keyless_episodes(conn: Connection, schema: str, limit: int) -> list[tuple[str, UUID, UUID]]:
    """Episodes with no key row at all (opened before keys existed), locked for this transaction: (tenant, episode,
    client). An episode whose key was destroyed keeps its row, so it is never given a new one."""
    rows = await conn.fetch(
        f"SELECT e.tenant_id, e.episode_id, e.client_id FROM {schema}.episodes e WHERE NOT EXISTS"
        f" (SELECT 1 FROM {schema}.episode_keys k WHERE k.episode_id = e.episode_id)"
        " ORDER BY e.episode_id LIMIT $1 FOR UPDATE OF e SKIP LOCKED",
        limit,
    )
    return [(r["tenant_id"], r["episode_id"], r["client_id"]) for r in rows]


async def create_key(
    conn: Connection, schema: str | None, tenant_id: str, episode_id: UUID, announced_under: str
) -> bytes:
    """A new random key for a new episode, in the transaction that opens it (or gives an old episode its key), noting
    the wrapping key its `EpisodeKeyIssued` is announced under. `schema` None: the connection's search_path."""
    key = new_key()
    table = f"{schema}.episode_keys" if schema else "episode_keys"
    await conn.execute(
        f"INSERT INTO {table} (episode_id, tenant_id, key, announced_under) VALUES ($1, $2, $3, $4)",
        episode_id,
        tenant_id,
        key,
        announced_under,
    )
    return key


async def keys_announced_under_another(
    conn: Connection, schema: str, current: str, limit: int
) -> list[tuple[str, UUID, UUID, bytes]]:
    """Live keys last announced under a wrapping key other than `current` (or before keys were wrapped), locked for
    this transaction: (tenant, episode, client, key). A destroyed key is never announced again."""
    rows = await conn.fetch(
        f"SELECT k.tenant_id, k.episode_id, e.client_id, k.key FROM {schema}.episode_keys k"
        f" JOIN {schema}.episodes e USING (episode_id)"
        " WHERE k.key IS NOT NULL AND k.announced_under IS DISTINCT FROM $1"
        " ORDER BY k.episode_id LIMIT $2 FOR UPDATE OF k SKIP LOCKED",
        current,
        limit,
    )
    return [(r["tenant_id"], r["episode_id"], r["client_id"], r["key"]) for r in rows]


async def note_announced(conn: Connection, schema: str, episode_ids: list[UUID], wrapping_key_id: str) -> None:
    await conn.execute(
        f"UPDATE {schema}.episode_keys SET announced_under = $2 WHERE episode_id = ANY($1::uuid[])",
        episode_ids,
        wrapping_key_id,
    )
