"""SQL of the end of the clinical retention period in the goals service's schema: which closed episode is due (its
closing time is in its document), and removing its records: the visibility record of its goals, its goals (each
with its versions, agreements and history in its document), its members and the episode itself."""

from datetime import datetime

from accord.goals.domain.clinical_retention import ClosedEpisode, Cutoffs
from accord.shared.clinical_retention import remove_expired_audit
from accord.shared.db import Connection

_CLOSED_AT = "(doc->>'closed_at')::timestamptz"


class ClinicalRecords:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def next_due(self, due: Cutoffs) -> ClosedEpisode | None:
        tenants = list(due.by_tenant)
        row = await self.conn.fetchrow(
            f"SELECT tenant_id, episode_id, client_id, {_CLOSED_AT} AS closed_at FROM {self.schema}.episodes"
            " WHERE status = 'closed' AND CASE WHEN tenant_id = ANY($1::text[])"
            f" THEN {_CLOSED_AT} < ($2::timestamptz[])[array_position($1::text[], tenant_id)]"
            f" ELSE {_CLOSED_AT} < $3 END ORDER BY {_CLOSED_AT} LIMIT 1 FOR UPDATE SKIP LOCKED",
            tenants,
            [due.by_tenant[t] for t in tenants],
            due.default,
        )
        return None if row is None else ClosedEpisode(**dict(row))

    async def remove_episode(self, episode: ClosedEpisode) -> dict[str, int]:
        s, key = self.schema, (episode.tenant_id, episode.episode_id)
        goals = f"SELECT goal_id FROM {s}.goals WHERE tenant_id = $1 AND episode_id = $2"
        return {
            "visibility_changes": await self._count(
                f"DELETE FROM {s}.visibility_changes WHERE goal_id IN ({goals})", key
            ),
            "goals": await self._count(f"DELETE FROM {s}.goals WHERE tenant_id = $1 AND episode_id = $2", key),
            "episode_members": await self._count(
                f"DELETE FROM {s}.episode_members m USING {s}.episodes e WHERE e.tenant_id = $1"
                " AND e.episode_id = $2 AND m.episode_id = e.episode_id",
                key,
            ),
            "episodes": await self._count(f"DELETE FROM {s}.episodes WHERE tenant_id = $1 AND episode_id = $2", key),
        }

    async def remove_audit(self, episode: ClosedEpisode, kept_after: datetime, removed: dict[str, int]) -> int:
        return await remove_expired_audit(
            self.conn, self.schema, episode.tenant_id, episode.client_id, episode.episode_id, kept_after, removed
        )

    async def _count(self, statement: str, args: tuple[object, ...]) -> int:
        status = await self.conn.execute(statement, *args)
        return int(status.rsplit(" ", 1)[-1])
