"""SQL of subject access exports in the goals service's schema: the requests, the parts reported, and this
service's own part (episodes, their participants, goals with every version and agreement, the access log)."""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.goals.domain.exports import ExportStatus
from accord.shared.audit import Audit
from accord.shared.auth import Principal
from accord.shared.db import Connection


class Exports:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn = conn
        self.schema = schema

    async def on_care_team(self, me: Principal, client_id: UUID) -> bool:
        """Is `me` a therapist of one of the client's episodes, or a supervisor of one's team?"""
        found = await self.conn.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {self.schema}.episodes e"
            f" LEFT JOIN {self.schema}.episode_members m ON m.episode_id = e.episode_id AND m.person_id = $3"
            " WHERE e.tenant_id = $1 AND e.client_id = $2"
            " AND ((e.lead_therapist_id = $3 OR m.role = 'therapist') AND $4"
            "      OR e.team_id = ANY($5::uuid[]) AND $6))",
            me.tenant_id,
            client_id,
            me.subject,
            "therapist" in me.roles,
            list(me.teams),
            "supervisor" in me.roles,
        )
        return bool(found)

    async def add(
        self, export_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None:
        await self.conn.execute(
            f"INSERT INTO {self.schema}.exports (export_id, tenant_id, client_id, requested_by, requested_by_roles,"
            " request_reference, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            export_id,
            me.tenant_id,
            client_id,
            me.subject,
            sorted(r.value for r in me.roles),
            request_reference,
            at,
        )

    async def part_stored(self, export_id: UUID, service: str, records: int) -> None:
        await self.conn.execute(
            f"UPDATE {self.schema}.exports SET parts = parts || jsonb_build_object($2::text, $3::int)"
            " WHERE export_id = $1",
            export_id,
            service,
            records,
        )

    async def status(self, tenant_id: str, export_id: UUID) -> ExportStatus | None:
        row = await self.conn.fetchrow(
            f"SELECT export_id, client_id, requested_by, requested_at, request_reference, parts::text AS parts"
            f" FROM {self.schema}.exports WHERE tenant_id = $1 AND export_id = $2",
            tenant_id,
            export_id,
        )
        if row is None:
            return None
        values = dict(row)
        values["parts"] = json.loads(values["parts"])
        return ExportStatus(**values)

    async def requested_by(
        self, me: Principal, client_id: UUID, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[ExportStatus]:
        """The exports `me` asked for about the client (only one's own: no one sees another's requests), newest first
        (by time asked, then export id), from after the keyset position `after`."""
        rows = await self.conn.fetch(
            f"SELECT export_id, client_id, requested_by, requested_at, request_reference, parts::text AS parts"
            f" FROM {self.schema}.exports WHERE tenant_id = $1 AND requested_by = $2 AND client_id = $3"
            " AND ($5::timestamptz IS NULL OR (requested_at, export_id) < ($5, $6::uuid))"
            " ORDER BY requested_at DESC, export_id DESC LIMIT $4",
            me.tenant_id,
            me.subject,
            client_id,
            limit,
            None if after is None else after[0],
            None if after is None else after[1],
        )
        return [ExportStatus(**{**dict(r), "parts": json.loads(r["parts"])}) for r in rows]

    async def client_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        # Restricted episodes and goals included on purpose (no `restricted_clients` filter): a restriction hides
        # records from use, not from the client's own right of access.
        episodes = await self.conn.fetch(
            f"SELECT e.episode_id, e.team_id, e.lead_therapist_id, e.status, e.opened_at,"
            f" coalesce((SELECT json_agg(json_build_object('person_id', m.person_id, 'role', m.role))::text"
            f"  FROM {self.schema}.episode_members m WHERE m.episode_id = e.episode_id), '[]') AS participants"
            f" FROM {self.schema}.episodes e WHERE e.tenant_id = $1 AND e.client_id = $2 ORDER BY e.episode_id",
            tenant_id,
            client_id,
        )
        goals = await self.conn.fetch(
            f"SELECT goal_id, episode_id, status, visibility, created_at, doc::text AS doc"
            f" FROM {self.schema}.goals WHERE tenant_id = $1 AND client_id = $2 ORDER BY created_at, goal_id",
            tenant_id,
            client_id,
        )
        return {
            "service": "goals",
            "client_id": client_id,
            "episodes": [{**dict(e), "participants": json.loads(e["participants"])} for e in episodes],
            # `doc` is the goal as the service keeps it: every version's wording, milestones and agreements.
            "goals": [{**dict(g), "doc": json.loads(g["doc"])} for g in goals],
            "access_log": await Audit(self.schema).client_log(self.conn, tenant_id, client_id),
        }
