"""SQL of the end of an episode's clinical retention period in the progress service's schema (from
`EpisodeRecordsExpired`): the entries, decisions and view of the episode's goals, its questionnaire responses, sessions
and session feedback, its members and the episode. Check-ins, and responses that belong to no episode, are the
client's rather than an episode's: they go with the client's last episode here."""

from uuid import UUID

from accord.shared import clinical_retention
from accord.shared.db import Connection

_GOALS = "SELECT goal_id FROM goals WHERE tenant_id = $1 AND episode_id = $2"
_EPISODE = "tenant_id = $1 AND episode_id = $2"
# What audit rows name the episode's records by, besides the episode itself ($1 tenant, $2 episode).
_AUDITED = (
    f"{_GOALS} UNION ALL SELECT session_id FROM sessions WHERE {_EPISODE}"
    f" UNION ALL SELECT response_id FROM questionnaires WHERE {_EPISODE}"
)
_NO_EPISODE_LEFT = "NOT EXISTS (SELECT 1 FROM episodes WHERE tenant_id = $1 AND client_id = $2)"


class EpisodeRecordsRemoval:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def records_of(self, tenant_id: str, episode_id: UUID) -> list[UUID]:
        return await clinical_retention.ids_of_episode(self.conn, _AUDITED, tenant_id, episode_id)

    async def keeps_episode_of(self, tenant_id: str, client_id: UUID) -> bool:
        return await clinical_retention.keeps_episode_of(self.conn, "episodes", tenant_id, client_id)

    async def remove_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> dict[str, int]:
        key = (tenant_id, episode_id)
        removed = {
            "entries": await self._count(f"DELETE FROM entries WHERE goal_id IN ({_GOALS})", key),
            "decisions": await self._count(f"DELETE FROM decisions WHERE goal_id IN ({_GOALS})", key),
            "goals": await self._count(f"DELETE FROM goals WHERE {_EPISODE}", key),
            "questionnaires": await self._count(f"DELETE FROM questionnaires WHERE {_EPISODE}", key),
            "session_feedback": await self._count(f"DELETE FROM session_feedback WHERE {_EPISODE}", key),
            "sessions": await self._count(f"DELETE FROM sessions WHERE {_EPISODE}", key),
            "episode_members": await self._count(
                "DELETE FROM episode_members m USING episodes e WHERE e.tenant_id = $1 AND e.episode_id = $2"
                " AND m.episode_id = e.episode_id",
                key,
            ),
            "episodes": await self._count(f"DELETE FROM episodes WHERE {_EPISODE}", key),
        }
        client = (tenant_id, client_id)
        removed["checkins"] = await self._count(
            f"DELETE FROM checkins WHERE tenant_id = $1 AND client_id = $2 AND {_NO_EPISODE_LEFT}", client
        )
        removed["questionnaires"] += await self._count(
            "DELETE FROM questionnaires WHERE tenant_id = $1 AND client_id = $2 AND episode_id IS NULL"
            f" AND {_NO_EPISODE_LEFT}",
            client,
        )
        return removed

    async def _count(self, statement: str, args: tuple[object, ...]) -> int:
        status = await self.conn.execute(statement, *args)
        return int(status.rsplit(" ", 1)[-1])
