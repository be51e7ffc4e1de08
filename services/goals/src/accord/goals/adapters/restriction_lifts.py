"""SQL of lifting a restriction in the goals service's schema: the lift recorded with its erasure request, and this
service's own restriction of the client ended."""

from datetime import datetime
from typing import Any
from uuid import UUID

from accord.goals.adapters.erasure import ErasureRequests
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.erasure import Restrictions


class RestrictionLifts:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def lift(self, request_id: UUID, me: Principal, reason: str, at: datetime) -> bool:
        """Records the lift unless it was lifted already; answers whether this one was recorded."""
        lifted = await self.conn.fetchval(
            f"UPDATE {self.schema}.erasure_requests SET lifted_by = $3, lifted_by_roles = $4, lifted_at = $5,"
            " lift_reason = $6 WHERE tenant_id = $1 AND request_id = $2 AND decision = 'approved'"
            " AND lifted_at IS NULL RETURNING request_id",
            me.tenant_id,
            request_id,
            me.subject,
            sorted(r.value for r in me.roles),
            at,
            reason,
        )
        return lifted is not None

    async def lifted(self, tenant_id: str, request_id: UUID) -> dict[str, Any] | None:
        """Who lifted the restriction, in which roles, when and why; None while it stands."""
        row = await self.conn.fetchrow(
            "SELECT lifted_by, lifted_by_roles, lifted_at, lift_reason"
            f" FROM {self.schema}.erasure_requests WHERE tenant_id = $1 AND request_id = $2 AND lifted_at IS NOT NULL",
            tenant_id,
            request_id,
        )
        return None if row is None else dict(row)

    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None:
        """This service's own lift is applied with it, in its transaction."""
        await ErasureRequests(self.conn, self.schema).lift_applied(request_id, service, at)

    async def end_restriction(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """This service's own restriction of the client ends with the lift, in its transaction."""
        await Restrictions(self.schema).lift(self.conn, tenant_id, client_id, request_id)
