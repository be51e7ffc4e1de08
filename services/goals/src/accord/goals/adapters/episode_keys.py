"""The episode an event of the goals service is about, where the event names only its goal (`GoalPaused`, ...): the
goal's episode in this schema, so that the outbox seals it under that episode's key (`accord.shared.episode_keys`)."""

from uuid import UUID

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys, Sealer
from accord.shared.events import Envelope


def sealer(schema: str) -> Sealer:
    async def episode_of(conn: Connection, envelope: Envelope) -> UUID | None:
        goal_id = envelope.payload.get("goal_id")
        if goal_id is None:
            return None
        episode: UUID | None = await conn.fetchval(
            f"SELECT episode_id FROM {schema}.goals WHERE goal_id = $1", UUID(str(goal_id))
        )
        if episode is None:
            # Never publish it in plaintext: its goal must be here, in the transaction that announces the change.
            raise LookupError(f"{envelope.event_type} names a goal this service does not hold")
        return episode

    return Sealer(EpisodeKeys(schema), episode_of)
