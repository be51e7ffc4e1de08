"""SQL of erasure requests in the goals service's schema: the requests and their decisions, each service's
completion, and this service's own application of a decision (its clients' records restricted)."""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.goals.adapters.exports import Exports
from accord.goals.domain.erasure import Decision, ErasureStatus, Listed
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.erasure import Restrictions

_COLUMNS = (
    "request_id, client_id, requested_by, requested_by_roles, request_reference, requested_at,"
    " decision, decided_by, decided_by_roles, decided_at, applied::text AS applied,"
    " lifted_by, lifted_by_roles, lifted_at, lift_applied::text AS lift_applied"
)


def _status(values: dict[str, Any]) -> ErasureStatus:
    values["decision"] = Decision(values["decision"]) if values["decision"] else None
    for reports in ("applied", "lift_applied"):
        values[reports] = {s: datetime.fromisoformat(at) for s, at in json.loads(values[reports]).items()}
    return ErasureStatus(**values)


class ErasureRequests:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def on_care_team(self, me: Principal, client_id: UUID) -> bool:
        return await Exports(self.conn, self.schema).on_care_team(me, client_id)

    async def supervises(self, me: Principal, client_id: UUID) -> bool:
        """Is `me` a supervisor of the team of one of the client's episodes?"""
        found = await self.conn.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {self.schema}.episodes"
            " WHERE tenant_id = $1 AND client_id = $2 AND team_id = ANY($3::uuid[]))",
            me.tenant_id,
            client_id,
            list(me.teams),
        )
        return bool(found) and "supervisor" in me.roles

    async def add(
        self, request_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None:
        await self.conn.execute(
            f"INSERT INTO {self.schema}.erasure_requests (request_id, tenant_id, client_id, requested_by,"
            " requested_by_roles, request_reference, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            request_id,
            me.tenant_id,
            client_id,
            me.subject,
            sorted(r.value for r in me.roles),
            request_reference,
            at,
        )

    async def decide(self, request_id: UUID, me: Principal, decision: Decision, at: datetime) -> bool:
        """Records the decision unless one was made already; answers whether this one was recorded."""
        decided = await self.conn.fetchval(
            f"UPDATE {self.schema}.erasure_requests SET decision = $3, decided_by = $4, decided_by_roles = $5,"
            " decided_at = $6 WHERE tenant_id = $1 AND request_id = $2 AND decision IS NULL RETURNING request_id",
            me.tenant_id,
            request_id,
            decision.value,
            me.subject,
            sorted(r.value for r in me.roles),
            at,
        )
        return decided is not None

    async def applied(self, request_id: UUID, service: str, at: datetime) -> None:
        """A service reports the decision applied (a repeat keeps the first report's time)."""
        await self._report("applied", request_id, service, at)

    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None:
        """A service reports the lift applied (a repeat keeps the first report's time)."""
        await self._report("lift_applied", request_id, service, at)

    async def _report(self, column: str, request_id: UUID, service: str, at: datetime) -> None:
        await self.conn.execute(
            f"UPDATE {self.schema}.erasure_requests SET {column} = {column} || jsonb_build_object($2::text, $3::text)"
            f" WHERE request_id = $1 AND NOT {column} ? $2",
            request_id,
            service,
            at.isoformat(),
        )

    async def status(self, tenant_id: str, request_id: UUID) -> ErasureStatus | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM {self.schema}.erasure_requests WHERE tenant_id = $1 AND request_id = $2",
            tenant_id,
            request_id,
        )
        return None if row is None else _status(dict(row))

    async def followed_by(
        self,
        me: Principal,
        client_id: UUID | None,
        which: Listed | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[ErasureStatus]:
        """Newest first (by time asked, then request id): the requests `me` asked for or that are about `me`, and for
        a supervisor those of the clients with an episode in one of their teams; only undecided ones (`waiting`) or
        only approved ones not lifted (`restricted`) if `which` says so, only the client's if `client_id`; only those
        after the keyset position `after`."""
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM {self.schema}.erasure_requests r WHERE r.tenant_id = $1"
            " AND ($2::uuid IS NULL OR r.client_id = $2)"
            " AND ($3::text IS NULL OR ($3 = 'waiting' AND r.decision IS NULL)"
            "      OR ($3 = 'restricted' AND r.decision = 'approved' AND r.lifted_at IS NULL))"
            " AND (r.requested_by = $4 OR r.client_id = $4 OR ($5 AND EXISTS ("
            f"SELECT 1 FROM {self.schema}.episodes e WHERE e.tenant_id = r.tenant_id AND e.client_id = r.client_id"
            " AND e.team_id = ANY($6::uuid[]))))"
            " AND ($8::timestamptz IS NULL OR (r.requested_at, r.request_id) < ($8, $9::uuid))"
            " ORDER BY r.requested_at DESC, r.request_id DESC LIMIT $7",
            me.tenant_id,
            client_id,
            None if which is None else which.value,
            me.subject,
            "supervisor" in me.roles,
            list(me.teams),
            limit,
            None if after is None else after[0],
            None if after is None else after[1],
        )
        return [_status(dict(row)) for row in rows]

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """This service holds only clinical records (episodes, goals): they are restricted, not erased."""
        await Restrictions(self.schema).restrict(self.conn, tenant_id, client_id, request_id)
