"""Audit of every read and write of a client's data: who, what, when, allowed or denied.

Allowed actions are recorded in the transaction of the action itself; denials in a transaction of their own, so that
a refused request leaves its trace even though it changes nothing else. Reads, which have no transaction of their
own, are recorded by `ReadAudit`: each read waits until its rows are stored, but reads in flight together share one
INSERT.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import structlog

from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodesRead
from accord.shared.events.envelope import Envelope
from accord.shared.grouping import Grouped
from accord.shared.outbox.store import Outbox


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
        self.schema = schema
        self.insert_sql = (
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
        if entries:
            await conn.executemany(self.insert_sql, self.rows(principal, entries))

    async def record_many_with_events(
        self,
        conn: Connection,
        principal: Principal,
        entries: list[AuditEntry],
        outbox: Outbox,
        events: list[Envelope],
        read: EpisodesRead | None = None,
    ) -> None:
        """`record_many` and `outbox.add_many(conn, events)` in one round trip: a command's audit rows and the
        events announcing its change, written in its transaction by one statement (`read`: for sealing them)."""
        if not entries or not events:
            await outbox.add_many(conn, events, read)
            await self.record_many(conn, principal, entries)
            return
        published = await outbox.rows(conn, events, read)
        audited = self.rows(principal, entries)
        tenant_id, actor_id, roles, request_id = audited[0][0], audited[0][1], audited[0][2], audited[0][9]
        await conn.execute(
            self._with_events_sql(outbox.table),
            *(list(column) for column in zip(*published, strict=True)),
            tenant_id,
            actor_id,
            roles,
            request_id,
            *(list(column) for column in zip(*(row[3:9] for row in audited), strict=True)),
        )

    async def record_guarded(
        self,
        conn: Connection,
        principal: Principal,
        entries: list[AuditEntry],
        outbox: Outbox,
        events: list[Envelope],
        change: tuple[str, list[Any]],
        read: EpisodesRead | None = None,
    ) -> bool:
        """A change written at once (`accord.shared.commands.GuardedWrite`: its WITH items and their parameters)
        with its events and audit rows, in one statement, all under its guard: whether its guard held (False:
        nothing was written). The statement is the change's transaction, which is what the outbox asks for."""
        ctes, params = change
        published = await outbox.rows(conn, events, read, one_statement=True)
        audited = self.rows(principal, entries)
        written = await conn.fetchval(
            self._guarded_sql(ctes, outbox.table, len(params)),
            *params,
            *_columns(published, 5),
            principal.tenant_id,
            principal.subject,
            sorted(r.value for r in principal.roles),
            structlog.contextvars.get_contextvars().get("request_id"),
            *_columns([row[3:9] for row in audited], 6),
        )
        return bool(written)

    def _guarded_sql(self, ctes: str, outbox_table: str, taken: int) -> str:
        # `taken`: the change's own parameters come first. Its ids in the events' order, as in `_with_events_sql`.
        n = [f"${taken + i}" for i in range(1, 16)]
        return (
            f"WITH {ctes}, events AS (INSERT INTO {outbox_table} (event_id, topic, message_key, payload, headers) "
            f"SELECT e.event_id, e.topic, e.message_key, e.payload, e.headers FROM unnest({n[0]}::uuid[], "
            f"{n[1]}::text[], {n[2]}::text[], {n[3]}::bytea[], {n[4]}::jsonb[]) WITH ORDINALITY AS e (event_id, "
            "topic, message_key, payload, headers, n) WHERE EXISTS (SELECT FROM guard) ORDER BY e.n), "
            f"audited AS (INSERT INTO {self.schema}.audit_log (tenant_id, actor_id, actor_roles, action, "
            "resource_type, resource_id, client_id, allowed, reason, request_id) "
            f"SELECT {n[5]}, {n[6]}, {n[7]}::text[], a.action, a.resource_type, a.resource_id, a.client_id, "
            f"a.allowed, a.reason, {n[8]} FROM unnest({n[9]}::text[], {n[10]}::text[], {n[11]}::text[], "
            f"{n[12]}::uuid[], {n[13]}::boolean[], {n[14]}::text[]) AS a (action, resource_type, resource_id, "
            "client_id, allowed, reason) WHERE EXISTS (SELECT FROM guard)) "
            "SELECT count(*) = 1 FROM guard"
        )

    def _with_events_sql(self, outbox_table: str) -> str:
        # The outbox's ids are taken in the events' order (ORDER BY the ordinality): the relay publishes by id, and
        # a client's events must reach Kafka in the order they were produced.
        return (
            f"WITH events AS (INSERT INTO {outbox_table} (event_id, topic, message_key, payload, headers) "
            "SELECT e.event_id, e.topic, e.message_key, e.payload, e.headers FROM unnest($1::uuid[], $2::text[], "
            "$3::text[], $4::bytea[], $5::jsonb[]) WITH ORDINALITY AS e (event_id, topic, message_key, payload, "
            "headers, n) ORDER BY e.n) "
            f"INSERT INTO {self.schema}.audit_log (tenant_id, actor_id, actor_roles, action, resource_type, "
            "resource_id, client_id, allowed, reason, request_id) "
            "SELECT $6, $7, $8::text[], a.action, a.resource_type, a.resource_id, a.client_id, a.allowed, a.reason, $9 "
            "FROM unnest($10::text[], $11::text[], $12::text[], $13::uuid[], $14::boolean[], $15::text[]) "
            "AS a (action, resource_type, resource_id, client_id, allowed, reason)"
        )

    def rows(self, principal: Principal, entries: list[AuditEntry]) -> list[tuple[Any, ...]]:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        roles = sorted(r.value for r in principal.roles)
        return [
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
        ]

    async def client_log(self, conn: Connection, tenant_id: str, client_id: UUID) -> list[dict[str, Any]]:
        """Who read or changed this client's data in this service (the access log of an export), oldest first."""
        rows = await conn.fetch(
            "SELECT at, actor_id, actor_roles, action, resource_type, resource_id, allowed"
            f" FROM {self.schema}.audit_log WHERE tenant_id = $1 AND client_id = $2 ORDER BY at, id",
            tenant_id,
            client_id,
        )
        return [dict(r) for r in rows]

    async def remove_client_rows(
        self,
        conn: Connection,
        tenant_id: str,
        client_id: UUID,
        before: datetime,
        *,
        about: Sequence[object] | None,
        kept_types: Sequence[str] = (),
        kept_actions: Sequence[str] = (),
    ) -> int:
        """Deletes the client's audit rows recorded before `before` (their clinical retention period is over): only
        those about the records `about` names (by resource id), or every one when `about` is None (no record of the
        client is kept here any more); never a row about a resource of `kept_types` (records kept apart from the
        clinical record), nor one of `kept_actions`. Returns how many went. The caller audits the removal itself."""
        status = await conn.execute(
            f"DELETE FROM {self.schema}.audit_log WHERE tenant_id = $1 AND client_id = $2 AND at < $3"
            " AND ($4::text[] IS NULL OR resource_id = ANY($4::text[])) AND resource_type <> ALL($5::text[])"
            " AND action <> ALL($6::text[])",
            tenant_id,
            client_id,
            before,
            None if about is None else [str(r) for r in about],
            list(kept_types),
            list(kept_actions),
        )
        return int(status.rsplit(" ", 1)[-1])

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


class ReadAudit:
    """Group commit for the audit rows of reads. A read's answer must not leave before its audit row is stored, but
    one INSERT per read is the largest cost of a simple read. So rows arriving while a write is in flight wait and
    go together in the next one: a lone read is written at once, a busy service writes one statement per batch."""

    def __init__(self, audit: Audit, pool: asyncpg.Pool) -> None:
        self.audit, self.pool = audit, pool
        self._stored: Grouped[list[tuple[Any, ...]], None] = Grouped(self._write)

    async def record(self, principal: Principal, entries: list[AuditEntry]) -> None:
        if entries:
            await self._stored(self.audit.rows(principal, entries))

    async def _write(self, reads: list[list[tuple[Any, ...]]]) -> list[None]:
        """Every read in the batch fails if this does: none answers unaudited."""
        async with self.pool.acquire() as conn:
            await conn.executemany(self.audit.insert_sql, [row for rows in reads for row in rows])
        return [None] * len(reads)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as `width` column arrays (empty arrays for no rows), for statements that unnest them."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
