"""SQL of the end of an episode's clinical retention period in the notifications service's schema (from
`EpisodeRecordsExpired`): its view of the episode's care team and goals, which decides who hears of what, goes with
the episode. Deliveries and in-app messages have periods of their own (the retention sweep), long over by then."""

from uuid import UUID

from accord.shared import clinical_retention
from accord.shared.db import Connection

_GOALS = "SELECT goal_id FROM {s}.goals WHERE tenant_id = $1 AND episode_id = $2"
# An order the references allow: what is keyed by the episode's goals before the goals and the episode.
REMOVED = (
    ("client_entries", "DELETE FROM {s}.client_entries WHERE goal_id IN (" + _GOALS + ")"),
    ("goals", "DELETE FROM {s}.goals WHERE tenant_id = $1 AND episode_id = $2"),
    (
        "participants",
        "DELETE FROM {s}.participants p USING {s}.episodes e WHERE e.tenant_id = $1 AND e.episode_id = $2"
        " AND p.episode_id = e.episode_id",
    ),
    ("episodes", "DELETE FROM {s}.episodes WHERE tenant_id = $1 AND episode_id = $2"),
)


class EpisodeRecordsRemoval:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def records_of(self, tenant_id: str, episode_id: UUID) -> list[UUID]:
        """Its goals (the audit rows here are mostly about contact points and messages: the client's)."""
        return await clinical_retention.ids_of_episode(self.conn, _GOALS.format(s=self.schema), tenant_id, episode_id)

    async def keeps_episode_of(self, tenant_id: str, client_id: UUID) -> bool:
        return await clinical_retention.keeps_episode_of(self.conn, f"{self.schema}.episodes", tenant_id, client_id)

    async def remove_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> dict[str, int]:
        removed = {}
        for kind, statement in REMOVED:
            status = await self.conn.execute(statement.format(s=self.schema), tenant_id, episode_id)
            removed[kind] = int(status.rsplit(" ", 1)[-1])
        return removed
