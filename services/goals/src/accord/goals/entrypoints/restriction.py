"""Lifting the restriction an approved erasure request put on a client's clinical record:
`POST /goals/erasure-requests/{request_id}/restriction-lift` {reason}, by a supervisor of the client's team."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from accord.goals.adapters.erasure import ErasureRequests
from accord.goals.adapters.restriction_lifts import RestrictionLifts
from accord.goals.domain.erasure import ErasureRefused
from accord.goals.domain.restriction import AlreadyLifted
from accord.goals.handlers.restriction import lift_restriction
from accord.shared.api import ResourcesDep
from accord.shared.audit import Audit
from accord.shared.auth import CurrentPrincipal
from accord.shared.inputs import RequestModel, Text
from accord.shared.problems import Problem

router = APIRouter(tags=["erasure"])


class RestrictionLiftCreate(RequestModel):
    reason: Annotated[str, Text(300, min_length=1, description="why the restriction ends; kept with the request")]


class RestrictionLiftPublic(BaseModel):
    request_id: UUID
    client_id: UUID
    lifted_by: UUID
    lifted_by_roles: list[str]
    lifted_at: datetime
    reason: str


@router.post("/goals/erasure-requests/{request_id}/restriction-lift", response_model=RestrictionLiftPublic)
async def lift_restriction_route(
    request_id: UUID, body: RestrictionLiftCreate, res: ResourcesDep, me: CurrentPrincipal
) -> RestrictionLiftPublic:
    """Ends the restriction: every service that hid the client's clinical record uses it again. What was erased
    stays erased (contact points, preferences, inbox items, the analytics pseudonym material)."""
    schema = res.settings.db_schema
    try:
        async with res.pool.acquire() as conn, conn.transaction():
            requests, lifts = ErasureRequests(conn, schema), RestrictionLifts(conn, schema)
            done = await lift_restriction(requests, lifts, me, request_id, body.reason, datetime.now(UTC))
            await res.outbox.add(conn, done.envelope)
            await Audit(schema).record(conn, me, "lift restriction", "erasure_request", request_id, done.client_id)
            lifted = await lifts.lifted(me.tenant_id, request_id)
    except ErasureRefused as refused:
        await Audit(schema).denied(res.pool, me, "lift restriction", "erasure_request", request_id, None, str(refused))
        if refused.field == "decision":
            raise Problem(
                409, "Conflict", "Nothing is restricted: the request was not approved", field="decision"
            ) from None
        raise Problem(404, "Not found", "No such erasure request", field="request_id") from None
    except AlreadyLifted:
        raise Problem(409, "Conflict", "The restriction is lifted already", field="request_id") from None
    assert lifted is not None
    return RestrictionLiftPublic(
        request_id=request_id,
        client_id=done.client_id,
        lifted_by=lifted["lifted_by"],
        lifted_by_roles=lifted["lifted_by_roles"],
        lifted_at=lifted["lifted_at"],
        reason=lifted["lift_reason"],
    )
