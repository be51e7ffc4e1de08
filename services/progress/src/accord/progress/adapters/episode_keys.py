"""The episode an event of the progress service is about, where the event does not name it: through its goal (an
entry's, a decision's), or the questionnaire or entry a safety signal comes from; so that the outbox seals it under
that episode's key (`accord.shared.episode_keys`). A questionnaire completed outside any episode is about none.

Each lookup reads the episode's key in the same statement (a LEFT JOIN on the key store), so that sealing a write's
events costs one round trip, not two."""

from collections.abc import Sequence
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, EpisodesRead, FoundEpisodes, Sealer
from accord.shared.events import Envelope

# `key_here`: the episode has a key row (its key, or NULL once destroyed); without one the key is left out of what is
# found, and the sealer looks it up again and refuses to publish.
_WITH_KEY = "k.episode_id IS NOT NULL AS key_here, k.key"


def sealer(schema: str) -> Sealer:
    keys = f"LEFT JOIN {schema}.episode_keys k ON k.episode_id = "
    by_goal = (
        f"SELECT g.goal_id, g.episode_id, {_WITH_KEY} FROM {schema}.goals g {keys}g.episode_id"
        " WHERE g.goal_id = ANY($1::uuid[])"
    )
    by_source = (
        f"SELECT q.response_id AS source_id, q.episode_id, {_WITH_KEY} FROM {schema}.questionnaires q"
        f" {keys}q.episode_id WHERE q.response_id = ANY($1::uuid[])"
        f" UNION ALL SELECT e.entry_id, g.episode_id, {_WITH_KEY} FROM {schema}.entries e"
        f" JOIN {schema}.goals g USING (goal_id) {keys}g.episode_id WHERE e.entry_id = ANY($1::uuid[])"
    )

    async def episodes_of(conn: Connection, envelopes: Sequence[Envelope], read: EpisodesRead) -> FoundEpisodes:
        goals = [_uuid(e.payload.get("goal_id")) for e in envelopes]
        sources = [_uuid(e.payload.get("source_id") or e.payload.get("response_id")) for e in envelopes]
        found_keys: dict[UUID, bytes | None] = {}
        named_goals = {g for g in goals if g is not None}
        # A goal the command locked comes with its episode and key (Repository.goals_with_role): not asked again.
        by_goals: dict[UUID, UUID | None] = {g: read.episodes[g] for g in named_goals if g in read.episodes}
        by_goals |= await _episodes(conn, by_goal, "goal_id", named_goals - by_goals.keys(), found_keys)
        if missing := {g for g in named_goals if by_goals.get(g) is None}:
            # Never publish it in plaintext: its goal is in this schema while its events are written.
            raise LookupError(f"{len(missing)} event(s) name a goal this service does not hold")
        pairs = list(zip(goals, sources, strict=True))
        by_sources = await _episodes(conn, by_source, "source_id", {s for g, s in pairs if g is None and s}, found_keys)
        # A source not found, or found with no episode: a questionnaire outside any episode, about none.
        episodes = [by_goals[g] if g is not None else by_sources.get(s) if s else None for g, s in pairs]
        return FoundEpisodes(episodes, found_keys)

    return Sealer(EpisodeKeys(schema), episodes_of)


def _uuid(value: object) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _episodes(
    conn: Connection, query: str, column: str, ids: set[UUID], keys: dict[UUID, bytes | None]
) -> dict[UUID, UUID | None]:
    """Each id's episode; the keys of those episodes with a key row are added to `keys`."""
    if not ids:
        return {}
    rows = await conn.fetch(query, list(ids))
    keys.update({r["episode_id"]: r["key"] for r in rows if r["key_here"]})
    return {r[column]: r["episode_id"] for r in rows}
