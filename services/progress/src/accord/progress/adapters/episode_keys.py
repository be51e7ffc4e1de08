"""The episode an event of the progress service is about, where the event does not name it: through its goal (an
entry's, a decision's), or the questionnaire or entry a safety signal comes from; so that the outbox seals it under
that episode's key (`accord.shared.episode_keys`). A questionnaire completed outside any episode is about none."""

from collections.abc import Sequence
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, Sealer
from accord.shared.events import Envelope


def sealer(schema: str) -> Sealer:
    by_goal = f"SELECT goal_id, episode_id FROM {schema}.goals WHERE goal_id = ANY($1::uuid[])"
    by_source = (
        f"SELECT response_id AS source_id, episode_id FROM {schema}.questionnaires WHERE response_id = ANY($1::uuid[])"
        f" UNION ALL SELECT e.entry_id, g.episode_id FROM {schema}.entries e JOIN {schema}.goals g USING (goal_id)"
        " WHERE e.entry_id = ANY($1::uuid[])"
    )

    async def episodes_of(conn: Connection, envelopes: Sequence[Envelope]) -> list[UUID | None]:
        goals = [_uuid(e.payload.get("goal_id")) for e in envelopes]
        sources = [_uuid(e.payload.get("source_id") or e.payload.get("response_id")) for e in envelopes]
        named_goals = {g for g in goals if g is not None}
        by_goals = await _episodes(conn, by_goal, "goal_id", named_goals)
        if missing := {g for g in named_goals if by_goals.get(g) is None}:
            # Never publish it in plaintext: its goal is in this schema while its events are written.
            raise LookupError(f"{len(missing)} event(s) name a goal this service does not hold")
        pairs = list(zip(goals, sources, strict=True))
        by_sources = await _episodes(conn, by_source, "source_id", {s for g, s in pairs if g is None and s})
        # A source not found, or found with no episode: a questionnaire outside any episode, about none.
        return [by_goals[g] if g is not None else by_sources.get(s) if s else None for g, s in pairs]

    return Sealer(EpisodeKeys(schema), episodes_of)


def _uuid(value: object) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _episodes(conn: Connection, query: str, column: str, ids: set[UUID]) -> dict[UUID, UUID | None]:
    return {r[column]: r["episode_id"] for r in await conn.fetch(query, list(ids))} if ids else {}
