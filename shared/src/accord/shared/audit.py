"""Audit of every read and write of a client's data: who, what, when, allowed or denied.

Allowed actions are recorded in the transaction of the action itself; denials in a transaction of their own, so that
a refused request leaves its trace even though it changes nothing else.
"""

from typing import NamedTuple
from uuid import UUID

import asyncpg
import structlog

from accord.shared.auth import Principal
from accord.shared.db import Connection


def audit_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.audit_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            tenant_id text NOT NULL,
            actor_id uuid NOT NULL,
            actor_roles text[] NOT NULL,
            action text NOT NULL,
            resource_type text NOT NULL,
            resource_id text,
            client_id uuid,
            allowed boolean NOT NULL,
            reason text,
            request_id text
        )""",
        f"CREATE INDEX audit_log_by_client ON {schema}.audit_log (tenant_id, client_id, at)",
        f"CREATE INDEX audit_log_by_actor ON {schema}.audit_log (tenant_id, actor_id, at)",
    ]


class AuditEntry(NamedTuple):
    action: str
    resource_type: str
    resource_id: object | None = None
    client_id: UUID | None = None
    allowed: bool = True
    reason: str | None = None


class Audit:
    def __init__(self, schema: str) -> None:
        self._insert = (
            f"INSERT INTO {schema}.audit_log (tenant_id, actor_id, actor_roles, action, resource_type, resource_id, "
            "client_id, allowed, reason, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )

    async def record(
        self,
        conn: Connection,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        client_id: UUID | None = None,
        *,
        allowed: bool = True,
        reason: str | None = None,
    ) -> None:
        await self.record_many(
            conn, principal, [AuditEntry(action, resource_type, resource_id, client_id, allowed, reason)]
        )

    async def record_many(self, conn: Connection, principal: Principal, entries: list[AuditEntry]) -> None:
        """Several accesses by one principal in one round trip."""
        if not entries:
            return
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        roles = sorted(r.value for r in principal.roles)
        await conn.executemany(
            self._insert,
            [
                (
                    principal.tenant_id,
                    principal.subject,
                    roles,
                    e.action,
                    e.resource_type,
                    None if e.resource_id is None else str(e.resource_id),
                    e.client_id,
                    e.allowed,
                    e.reason,
                    request_id,
                )
                for e in entries
            ],
        )

    async def denied(
        self,
        pool: asyncpg.Pool,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        client_id: UUID | None = None,
        reason: str = "",
    ) -> None:
        async with pool.acquire() as conn:
            await self.record(
                conn, principal, action, resource_type, resource_id, client_id, allowed=False, reason=reason
            )
