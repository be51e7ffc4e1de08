"""The episode an event of the goals service is about, where the event names only its goal (`GoalPaused`, ...): the
goal's episode in this schema, so that the outbox seals it under that episode's key (`accord.shared.episode_keys`)."""

from collections.abc import Sequence
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, Sealer
from accord.shared.events import Envelope


def sealer(schema: str) -> Sealer:
    by_goal = f"SELECT goal_id, episode_id FROM {schema}.goals WHERE goal_id = ANY($1::uuid[])"

    async def episodes_of(conn: Connection, envelopes: Sequence[Envelope]) -> list[UUID | None]:
        goals = [envelope.payload.get("goal_id") for envelope in envelopes]
        named = {UUID(str(g)) for g in goals if g is not None}
        episodes = {r["goal_id"]: r["episode_id"] for r in await conn.fetch(by_goal, list(named))} if named else {}
        if missing := {g for g in named if episodes.get(g) is None}:
            # Never publish it in plaintext: its goal must be here, in the transaction that announces the change.
            raise LookupError(f"{len(missing)} event(s) name a goal this service does not hold")
        return [None if g is None else episodes[UUID(str(g))] for g in goals]

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
