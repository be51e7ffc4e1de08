"""The episode an event of the progress service is about, where the event does not name it: through its goal (an
entry's, a decision's), or the questionnaire or entry a safety signal comes from; so that the outbox seals it under
that episode's key (`accord.shared.episode_keys`). A questionnaire completed outside any episode is about none."""

from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, Sealer
from accord.shared.events import Envelope


def sealer(schema: str) -> Sealer:
    by_goal = f"SELECT episode_id FROM {schema}.goals WHERE goal_id = $1"
    by_source = (
        f"SELECT episode_id FROM {schema}.questionnaires WHERE response_id = $1 UNION ALL "
        f"SELECT g.episode_id FROM {schema}.entries e JOIN {schema}.goals g USING (goal_id) WHERE e.entry_id = $1"
    )

    async def episode_of(conn: Connection, envelope: Envelope) -> UUID | None:
        payload = envelope.payload
        if (goal_id := payload.get("goal_id")) is not None:
            episode: UUID | None = await conn.fetchval(by_goal, UUID(str(goal_id)))
            if episode is None:
                # Never publish it in plaintext: its goal is in this schema while its events are written.
                raise LookupError(f"{envelope.event_type} names a goal this service does not hold")
            return episode
        source = payload.get("source_id") or payload.get("response_id")
        if source is not None:
            found: UUID | None = await conn.fetchval(by_source, UUID(str(source)))
            return found  # None: a questionnaire outside any episode
        return None

    return Sealer(EpisodeKeys(schema), episode_of)
