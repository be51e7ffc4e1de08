"""Erasure requests: ask (`POST /goals/erasure-requests`), decide (`POST /goals/erasure-requests/{id}/decision`),
follow one (`GET /goals/erasure-requests/{id}`: who asked, who decided, each service's completion, and after a lift
who lifted it, when, and each service's completion of the lift) and list those one may follow
(`GET /goals/erasure-requests?status=waiting`: a supervisor's requests waiting for a decision; `status=restricted`:
the restrictions in place, however old the request that put them there; `client_id=`: one client's; a page at a time
by keyset cursor), each saying what the caller may do with it now (`may_decide`, `may_lift`)."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.goals.adapters.erasure import ErasureRequests
from accord.goals.domain.erasure import APPLIED_BY, AlreadyDecided, Decision, ErasureRefused, ErasureStatus, Listed
from accord.goals.handlers.erasure import (
    ask_for_erasure,
    decide_erasure,
    erasure_status_for,
    erasures_for,
    followed,
)
from accord.shared.api import ResourcesDep
from accord.shared.audit import Audit
from accord.shared.auth import CurrentPrincipal, Principal
from accord.shared.inputs import RequestModel, Text
from accord.shared.pagination import time_and_id, time_and_id_cursor
from accord.shared.problems import Problem

router = APIRouter(tags=["erasure"])


class ErasureCreate(RequestModel):
    client_id: UUID
    request_reference: Annotated[
        str | None, Text(100, min_length=1, description="staff only: the recorded erasure request")
    ] = None


class ErasureDecision(RequestModel):
    decision: Literal["approved", "refused"]


class ServiceCompletion(BaseModel):
    service: str
    applied: bool
    applied_at: datetime | None

    @classmethod
    def each(cls, reported: Mapping[str, datetime], services: Sequence[str] = APPLIED_BY) -> list["ServiceCompletion"]:
        """Every service in order, with its report (service -> when) or none yet."""
        return [cls(service=p, applied=p in reported, applied_at=reported.get(p)) for p in services]


class ErasurePublic(BaseModel):
    request_id: UUID
    client_id: UUID
    requested_by: UUID
    requested_by_roles: list[str]
    request_reference: str | None
    requested_at: datetime
    decision: Decision | None
    decided_by: UUID | None
    decided_by_roles: list[str] | None
    decided_at: datetime | None
    services: list[ServiceCompletion]
    complete: bool
    may_decide: bool = False  # the person asking may approve or refuse it now (a screen offers the choice)
    may_lift: bool = False  # the person asking may lift the restriction it put in place now
    lifted_by: UUID | None = None
    lifted_by_roles: list[str] | None = None
    lifted_at: datetime | None = None  # when a supervisor lifted the restriction (`.../restriction-lift`)
    lift_services: list[ServiceCompletion] = Field(
        default_factory=list, description="after a lift: whether and when each service ended its restriction"
    )
    lift_complete: bool = False

    @classmethod
    def of(cls, s: ErasureStatus, may_decide: bool = False, may_lift: bool = False) -> "ErasurePublic":
        return cls(
            may_decide=may_decide,
            may_lift=may_lift,
            request_id=s.request_id,
            client_id=s.client_id,
            requested_by=s.requested_by,
            requested_by_roles=s.requested_by_roles,
            request_reference=s.request_reference,
            requested_at=s.requested_at,
            decision=s.decision,
            decided_by=s.decided_by,
            decided_by_roles=s.decided_by_roles,
            decided_at=s.decided_at,
            services=ServiceCompletion.each(s.applied),
            complete=s.complete,
            lifted_by=s.lifted_by,
            lifted_by_roles=s.lifted_by_roles,
            lifted_at=s.lifted_at,
            lift_services=ServiceCompletion.each(s.lift_applied) if s.lifted_at is not None else [],
            lift_complete=s.lift_complete,
        )


class ErasureList(BaseModel):
    items: list[ErasurePublic]
    next_cursor: str | None = Field(default=None, description="ask with `cursor=` this for the next page")


# The most one page holds (and what a page holds unless `limit` says fewer).
LIST_LIMIT = 50


async def _refused(
    res: ResourcesDep, me: Principal, action: str, request_id: UUID, client_id: UUID | None, refused: ErasureRefused
) -> Problem:
    await Audit(res.settings.db_schema).denied(
        res.pool, me, action, "erasure_request", request_id, client_id, str(refused)
    )
    if refused.field == "request_reference":
        return Problem(422, "Unprocessable", "Staff must name the recorded request", field=refused.field)
    if refused.field == "decision":
        return Problem(403, "Forbidden", "No one decides their own request", field=refused.field)
    return Problem(
        404,
        "Not found",
        "No such client" if action == "request" else "No such erasure request",
        field="client_id" if action == "request" else "request_id",
    )


@router.post("/goals/erasure-requests", status_code=202, response_model=ErasurePublic)
async def ask_for_erasure_route(body: ErasureCreate, res: ResourcesDep, me: CurrentPrincipal) -> ErasurePublic:
    """Records a request for erasure of the client's data; nothing changes until a supervisor decides it."""
    schema, request_id = res.settings.db_schema, uuid4()
    try:
        async with res.pool.acquire() as conn, conn.transaction():
            store = ErasureRequests(conn, schema)
            await ask_for_erasure(store, me, request_id, body.client_id, body.request_reference, datetime.now(UTC))
            await Audit(schema).record(conn, me, "request", "erasure_request", request_id, body.client_id)
            status = await store.status(me.tenant_id, request_id)
    except ErasureRefused as refused:
        raise await _refused(res, me, "request", request_id, body.client_id, refused) from None
    assert status is not None
    return ErasurePublic.of(status)


@router.post("/goals/erasure-requests/{request_id}/decision", response_model=ErasurePublic)
async def decide_erasure_route(
    request_id: UUID, body: ErasureDecision, res: ResourcesDep, me: CurrentPrincipal
) -> ErasurePublic:
    """A supervisor of the client's team approves or refuses. An approval restricts the client's clinical records
    and erases their app-only data in every service, and destroys their analytics pseudonym material."""
    schema = res.settings.db_schema
    try:
        async with res.pool.acquire() as conn, conn.transaction():
            store = ErasureRequests(conn, schema)
            envelope = await decide_erasure(store, me, request_id, Decision(body.decision), datetime.now(UTC))
            if envelope is not None:
                await res.outbox.add(conn, envelope)
            status = await store.status(me.tenant_id, request_id)
            assert status is not None
            await Audit(schema).record(
                conn, me, f"decide: {body.decision}", "erasure_request", request_id, status.client_id
            )
    except ErasureRefused as refused:
        raise await _refused(res, me, "decide", request_id, None, refused) from None
    except AlreadyDecided:
        raise Problem(409, "Conflict", "The request is decided already", field="decision") from None
    return ErasurePublic.of(status)


@router.get("/goals/erasure-requests/{request_id}", response_model=ErasurePublic)
async def erasure_progress(request_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> ErasurePublic:
    """Who asked, who decided, and which services have applied the decision."""
    async with res.pool.acquire() as conn:
        store = ErasureRequests(conn, res.settings.db_schema)
        status = await erasure_status_for(store, me, request_id)
        if status is not None:
            offers = followed(status, me, await store.supervises(me, status.client_id))
            await Audit(res.settings.db_schema).record(
                conn, me, "read", "erasure_request", request_id, status.client_id
            )
    if status is None:
        await Audit(res.settings.db_schema).denied(
            res.pool, me, "read", "erasure_request", request_id, None, "not allowed"
        )
        raise Problem(404, "Not found", "No such erasure request", field="request_id")
    return ErasurePublic.of(status, offers.may_decide, offers.may_lift)


@router.get("/goals/erasure-requests", response_model=ErasureList)
async def erasure_requests(
    res: ResourcesDep,
    me: CurrentPrincipal,
    status: Annotated[
        Literal["waiting", "restricted"] | None,
        Query(
            description="waiting: only undecided requests; restricted: only approved ones whose restriction is in place"
        ),
    ] = None,
    client_id: Annotated[UUID | None, Query(description="only the requests about this client")] = None,
    cursor: Annotated[str | None, Query(description="the `next_cursor` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT)] = LIST_LIMIT,
) -> ErasureList:
    """The requests the person may follow, newest first, a page at a time (`limit`, at most 50; `next_cursor` while
    there are more), each saying whether they may decide it or lift its restriction: for a supervisor, those of the
    clients of their teams; for anyone else, those they asked for or that are about them (an empty list otherwise).
    Each one answered is audited as read."""
    schema = res.settings.db_schema
    async with res.pool.acquire() as conn, conn.transaction():
        page = await erasures_for(
            ErasureRequests(conn, schema),
            me,
            client_id,
            None if status is None else Listed(status),
            time_and_id(cursor),
            limit,
        )
        for item in page.items:
            await Audit(schema).record(
                conn, me, "read", "erasure_request", item.status.request_id, item.status.client_id
            )
    after = page.next_after
    return ErasureList(
        items=[ErasurePublic.of(*item) for item in page.items],
        next_cursor=None if after is None else time_and_id_cursor(*after),
    )
