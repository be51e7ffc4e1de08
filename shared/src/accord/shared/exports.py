"""A service's part of a subject access export: stored in the service's own schema, served only to whom it was made
for, every download audited.

The part never travels through Kafka (it holds clinical text and can be large): the `ExportRequested` event names
the export, each service writes its part here, and its `...ExportPartStored` event carries only ids and a count.

Only the machinery every service shares is here: the `export_parts` table (its DDL, one migration helper, storing and
serving a part), as the outbox, inbox and audit log are. What a service's part holds is read by that service's own
repository (a `PartSource` in its `adapters/`); no statement here names a service's domain table.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any, Protocol
from uuid import UUID

from alembic import op
from fastapi import APIRouter, Query
from fastapi.responses import Response

from accord.shared.api import ResourcesDep
from accord.shared.audit import Audit
from accord.shared.auth import CurrentPrincipal
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.inbox import EventHandler
from accord.shared.problems import Problem


def export_parts_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.export_parts (
            export_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            requested_by uuid NOT NULL,
            records integer NOT NULL,
            body jsonb NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"CREATE INDEX export_parts_by_client ON {schema}.export_parts (tenant_id, client_id)",
    ]


def upgrade_export_parts(schema: str) -> None:
    """A service migration's `upgrade` that adds the service's own `export_parts` table to its own schema."""
    for statement in export_parts_ddl(schema):
        op.execute(statement)


def downgrade_export_parts(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.export_parts")


class ExportParts:
    """The `export_parts` table of one service's schema."""

    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def store(
        self,
        conn: Connection,
        *,
        export_id: UUID,
        tenant_id: str,
        client_id: UUID,
        requested_by: UUID,
        body: dict[str, Any],
    ) -> int:
        """Stores the part once (a second request for the same export keeps the first); answers its record count."""
        records = count_records(body)
        await conn.execute(
            f"INSERT INTO {self.schema}.export_parts (export_id, tenant_id, client_id, requested_by, records, body)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (export_id) DO NOTHING",
            export_id,
            tenant_id,
            client_id,
            requested_by,
            records,
            json.dumps(body, default=str),
        )
        return records

    async def fetch(self, conn: Connection, export_id: UUID) -> dict[str, Any] | None:
        row = await conn.fetchrow(
            f"SELECT tenant_id, client_id, requested_by, body::text AS body FROM {self.schema}.export_parts"
            " WHERE export_id = $1",
            export_id,
        )
        return None if row is None else dict(row)


def count_records(body: dict[str, Any]) -> int:
    """The number of records in a part: the length of every list at its top level."""
    return sum(len(value) for value in body.values() if isinstance(value, list))


class PartStore(Protocol):
    async def store(
        self,
        conn: Connection,
        *,
        export_id: UUID,
        tenant_id: str,
        client_id: UUID,
        requested_by: UUID,
        body: dict[str, Any],
    ) -> int: ...


class Announcer(Protocol):
    async def add(self, conn: Connection, *envelopes: Envelope) -> None: ...


class PartSource(Protocol):
    """A service's repository, as far as its part of an export goes."""

    async def export_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        """Everything the service holds about that client, as JSON values (lists of records at the top level)."""
        ...


PartSources = Callable[[Connection], PartSource]
"""The service's repository on the inbox transaction's connection."""


def on_export_requested(
    service: str, sources: PartSources, parts: PartStore, outbox: Announcer, stored: Callable[..., ClientEvent]
) -> EventHandler:
    """The inbox handler of `ExportRequested`: assembles this service's part, stores it and announces it with
    `stored` (the service's `...ExportPartStored`: ids and a count), all in the inbox's transaction."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        body = await sources(conn).export_part(envelope.tenant_id, event.client_id)
        records = await parts.store(
            conn,
            export_id=event.export_id,
            tenant_id=envelope.tenant_id,
            client_id=event.client_id,
            requested_by=event.requested_by,
            body={"service": service, "client_id": str(event.client_id), **body},
        )
        announced = stored(client_id=event.client_id, export_id=event.export_id, records=records)
        await outbox.add(conn, envelope.caused(announced, producer=service))

    return handle


DOWNLOAD = "download"
ARCHIVE_DOWNLOAD = "download in archive"
"""The audit action of a part fetched by the gateway for the whole export as one archive, so that the access log tells
the archive apart from a part downloaded alone (the gateway keeps no audit log of its own)."""


def export_part_router(service: str, schema: str) -> APIRouter:
    """`GET /<service>/exports/{export_id}/part`: this service's part, only to whom the export was made for
    (anyone else gets the same 404 as for an export that does not exist), audited as a download either way."""
    router = APIRouter(tags=["exports"])
    parts = ExportParts(schema)
    audit = Audit(schema)

    @router.get(
        f"/{service}/exports/{{export_id}}/part",
        summary=f"The {service} service's part of a subject access export (JSON)",
        responses={200: {"content": {"application/json": {}}}, 404: {"description": "no such export for you"}},
    )
    async def download_part(
        export_id: UUID,
        res: ResourcesDep,
        me: CurrentPrincipal,
        in_archive: Annotated[
            bool,
            Query(
                description="fetched for the whole export as one archive (the gateway's /exports/archive): audited"
                " as `download in archive` rather than `download`"
            ),
        ] = False,
    ) -> Response:
        async with res.pool.acquire() as conn, conn.transaction():
            part = await parts.fetch(conn, export_id)
            mine = part is not None and part["tenant_id"] == me.tenant_id and part["requested_by"] == me.subject
            client_id = part["client_id"] if mine and part is not None else None
            await audit.record(
                conn,
                me,
                ARCHIVE_DOWNLOAD if in_archive else DOWNLOAD,
                "export_part",
                export_id,
                client_id,
                allowed=mine,
                reason=None if mine else "not the requester",
            )
        if not mine or part is None:
            raise Problem(404, "Not found", "No such export", field="export_id")
        return Response(
            part["body"],
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="accord-{service}-{export_id}.json"',
                "Cache-Control": "no-store",
            },
        )

    return router
