"""Subject access exports: ask for one (`POST /goals/exports`), find one's own again (`GET /goals/exports`, a page at a
time by keyset cursor), follow its progress (`GET /goals/exports/{id}`), and download this service's part
(`GET /goals/exports/{id}/part`); the other services serve their own parts."""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.goals.adapters.exports import Exports
from accord.goals.domain.exports import PARTS, ExportRefused, ExportStatus
from accord.goals.handlers.exports import exports_asked_by, request_export, status_for
from accord.shared.api import ResourcesDep
from accord.shared.audit import Audit
from accord.shared.auth import CurrentPrincipal
from accord.shared.exports import ExportParts, export_part_router
from accord.shared.inputs import RequestModel, Text
from accord.shared.pagination import time_and_id, time_and_id_cursor
from accord.shared.problems import Problem

router = APIRouter(tags=["exports"])


class ExportCreate(RequestModel):
    client_id: UUID
    request_reference: Annotated[
        str | None, Text(100, min_length=1, description="staff only: the recorded subject access request")
    ] = None


class ExportPart(BaseModel):
    service: str
    ready: bool
    records: int | None
    href: str


class ExportPublic(BaseModel):
    export_id: UUID
    client_id: UUID
    requested_at: datetime
    request_reference: str | None
    parts_ready: int
    parts_expected: int
    ready: bool
    parts: list[ExportPart]

    @classmethod
    def of(cls, s: ExportStatus) -> "ExportPublic":
        parts = [
            ExportPart(
                service=p,
                ready=p in s.parts,
                records=s.parts.get(p),
                href=f"/api/v1/{p}/exports/{s.export_id}/part",
            )
            for p in PARTS
        ]
        return cls(
            export_id=s.export_id,
            client_id=s.client_id,
            requested_at=s.requested_at,
            request_reference=s.request_reference,
            parts_ready=sum(p.ready for p in parts),
            parts_expected=len(parts),
            ready=s.ready,
            parts=parts,
        )


def _audit(res: ResourcesDep) -> Audit:
    return Audit(res.settings.db_schema)


@router.post("/goals/exports", status_code=202, response_model=ExportPublic)
async def ask_for_export(body: ExportCreate, res: ResourcesDep, me: CurrentPrincipal) -> ExportPublic:
    """Every service assembles its part of everything Accord holds about the client; poll the answer's URL."""
    schema = res.settings.db_schema
    export_id = uuid4()
    try:
        async with res.pool.acquire() as conn, conn.transaction():
            store = Exports(conn, schema)
            save_part = partial(ExportParts(schema).store, conn)
            envelope = await request_export(
                store, save_part, me, export_id, body.client_id, body.request_reference, datetime.now(UTC)
            )
            await res.outbox.add(conn, envelope)
            await _audit(res).record(conn, me, "request", "export", export_id, body.client_id)
            status = await store.status(me.tenant_id, export_id)
    except ExportRefused as refused:
        await _audit(res).denied(res.pool, me, "request", "export", export_id, body.client_id, str(refused))
        if refused.field:
            raise Problem(422, "Unprocessable", "Staff must name the recorded request", field=refused.field) from None
        raise Problem(404, "Not found", "No such client", field="client_id") from None
    assert status is not None
    return ExportPublic.of(status)


class ExportList(BaseModel):
    items: list[ExportPublic]
    next_cursor: str | None = Field(default=None, description="ask with `cursor=` this for the next page")


# The most one page holds (and what a page holds unless `limit` says fewer), as for the erasure request lists.
LIST_LIMIT = 50


@router.get("/goals/exports", response_model=ExportList)
async def my_exports(
    client_id: UUID,
    res: ResourcesDep,
    me: CurrentPrincipal,
    cursor: Annotated[str | None, Query(description="the `next_cursor` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT)] = LIST_LIMIT,
) -> ExportList:
    """The exports about the client that the caller asked for, newest first, a page at a time (`limit`, at most 50;
    `next_cursor` while there are more): an app finds the one in progress again after a reload. Anyone gets only
    their own requests (an empty list otherwise). Each page is audited as a `list` of exports about the client."""
    async with res.pool.acquire() as conn:
        page = await exports_asked_by(Exports(conn, res.settings.db_schema), me, client_id, time_and_id(cursor), limit)
        await _audit(res).record(conn, me, "list", "export", None, client_id)
    after = page.next_after
    return ExportList(
        items=[ExportPublic.of(s) for s in page.items],
        next_cursor=None if after is None else time_and_id_cursor(*after),
    )


@router.get("/goals/exports/{export_id}", response_model=ExportPublic)
async def export_progress(export_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> ExportPublic:
    """Parts ready of parts expected; each part's download URL (through the gateway)."""
    async with res.pool.acquire() as conn:
        status = await status_for(Exports(conn, res.settings.db_schema), me, export_id)
    if status is None:
        await _audit(res).denied(res.pool, me, "read", "export", export_id, None, "not the requester")
        raise Problem(404, "Not found", "No such export", field="export_id")
    async with res.pool.acquire() as conn:
        await _audit(res).record(conn, me, "read", "export", export_id, status.client_id)
    return ExportPublic.of(status)


def routers(schema: str) -> list[APIRouter]:
    return [export_part_router("goals", schema), router]
