"""SQL of the end of the clinical retention period in the goals service's schema: which closed episode is due (found
through the index of closed episodes by closing time), and removing its records: the visibility record of its
goals, its goals (each with its versions, agreements and history in its document), its members and the episode
itself; and the ledger of removals (`episode_expiries`: ids, the episode's team, when, and which services have
reported theirs), read by the supervisors of the team."""

import json
from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from accord.goals.domain.clinical_retention import ClosedEpisode, Cutoffs, EpisodeExpiry
from accord.shared import clinical_retention
from accord.shared.clinical_retention import ExpiredEpisode, remove_expired_audit
from accord.shared.db import Connection

KEPT_WITH_THE_CLIENT = ("erasure_request", "export", "episode_expiry")
"""Audit rows about these resources stay when the client's last episode goes: the requests and the ledger of
removals stay."""


def next_due_statement(schema: str) -> str:
    """The oldest closed episode past its tenant's cutoff, read from the index of closed episodes in closing order
    ($4, the latest cutoff of any tenant, bounds that scan: nothing closed after it can be due)."""
    return (
        f"SELECT tenant_id, episode_id, client_id, closed_at, team_id FROM {schema}.episodes"
        " WHERE status = 'closed' AND closed_at < $4 AND CASE WHEN tenant_id = ANY($1::text[])"
        " THEN closed_at < ($2::timestamptz[])[array_position($1::text[], tenant_id)]"
        " ELSE closed_at < $3 END ORDER BY closed_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )


class ClinicalRecords:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def next_due(self, due: Cutoffs) -> ClosedEpisode | None:
        tenants = list(due.by_tenant)
        row = await self.conn.fetchrow(
            next_due_statement(self.schema), tenants, [due.by_tenant[t] for t in tenants], due.default, due.latest
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

    async def note_expiry(self, episode: ClosedEpisode, at: datetime) -> None:
        """The episode's removal, kept (ids and time) with this service's own report of it."""
        await self.conn.execute(
            f"INSERT INTO {self.schema}.episode_expiries (tenant_id, episode_id, client_id, team_id, expired_at,"
            " removed) VALUES ($1, $2, $3, $4, $5, jsonb_build_object('goals', $6::text)) ON CONFLICT DO NOTHING",
            episode.tenant_id,
            episode.episode_id,
            episode.client_id,
            episode.team_id,
            at,
            at.isoformat(),
        )

    async def expiries_of_teams(
        self, tenant_id: str, teams: Collection[UUID], after: tuple[datetime, UUID] | None, limit: int
    ) -> list[EpisodeExpiry]:
        """The removals of the teams' episodes, newest first (by expiry, then episode id), from after `after`: a
        keyset page through the index by team."""
        rows = await self.conn.fetch(
            f"SELECT episode_id, client_id, expired_at, removed FROM {self.schema}.episode_expiries"
            " WHERE tenant_id = $1 AND team_id = ANY($2::uuid[])"
            " AND ($3::timestamptz IS NULL OR (expired_at, episode_id) < ($3, $4::uuid))"
            " ORDER BY expired_at DESC, episode_id DESC LIMIT $5",
            tenant_id,
            list(teams),
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
        )
        return [
            EpisodeExpiry(
                episode_id=r["episode_id"],
                client_id=r["client_id"],
                expired_at=r["expired_at"],
                removed={service: datetime.fromisoformat(at) for service, at in json.loads(r["removed"]).items()},
            )
            for r in rows
        ]

    async def removed_by(self, tenant_id: str, episode_id: UUID, service: str, at: datetime) -> None:
        """A service reports the episode's records removed (a repeat keeps the first report's time)."""
        await self.conn.execute(
            f"UPDATE {self.schema}.episode_expiries SET removed = removed || jsonb_build_object($3::text, $4::text)"
            " WHERE tenant_id = $1 AND episode_id = $2 AND NOT removed ? $3",
            tenant_id,
            episode_id,
            service,
            at.isoformat(),
        )

    async def records_of(self, episode: ClosedEpisode) -> list[UUID]:
        return await clinical_retention.ids_of_episode(
            self.conn,
            f"SELECT goal_id FROM {self.schema}.goals WHERE tenant_id = $1 AND episode_id = $2",
            episode.tenant_id,
            episode.episode_id,
        )

    async def keeps_episode_of(self, episode: ClosedEpisode) -> bool:
        return await clinical_retention.keeps_episode_of(
            self.conn, f"{self.schema}.episodes", episode.tenant_id, episode.client_id
        )

    async def remove_audit(self, expired: ExpiredEpisode, removed: dict[str, int]) -> int:
        # Erasure and export requests are the client's and kept apart from the clinical record: so is their audit.
        return await remove_expired_audit(self.conn, self.schema, expired, removed, KEPT_WITH_THE_CLIENT)

    async def _count(self, statement: str, args: tuple[object, ...]) -> int:
        status = await self.conn.execute(statement, *args)
        return int(status.rsplit(" ", 1)[-1])
