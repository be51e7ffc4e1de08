"""What every route of this API shares: whose data it is, the audit trail, Idempotency-Key on POST."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from accord.notifications.adapters.people import Defaults
from accord.notifications.adapters.repository import Repository
from accord.notifications.settings import Settings
from accord.shared.audit import Audit
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.events.contracts.common import Role
from accord.shared.idempotency import Idempotency, request_fingerprint
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def settings_of(res: Resources[Settings]) -> Settings:
    return res.settings


def defaults_of(res: Resources[Settings]) -> Defaults:
    s = settings_of(res)
    return Defaults(s.default_locale, s.default_time_zone)


def repository_of(res: Resources[Settings], conn: Connection) -> Repository:
    """The service's repository on the request's connection (and transaction)."""
    return Repository(conn, res.outbox)


def audit_of(res: Resources[Settings]) -> Audit:
    return Audit(res.settings.db_schema)


def client_of(principal: Principal) -> UUID | None:
    """The audit's client: the caller, when the caller is a client (everything here is the caller's own)."""
    return principal.subject if principal.has(Role.CLIENT) else None


async def not_yours(
    res: Resources[Settings], principal: Principal, action: str, resource_type: str, resource_id: UUID
) -> Problem:
    """Records the refusal and answers 404: whether someone else's item exists is not the caller's business."""
    await audit_of(res).denied(
        res.pool, principal, action, resource_type, resource_id, client_of(principal), reason="not the caller's"
    )
    return Problem(404, "Not found", f"No such {resource_type.replace('_', ' ')}")


async def idempotent_post(
    res: Resources[Settings],
    principal: Principal,
    request: Request,
    key: str | None,
    body: BaseModel | None,
    act: Callable[[Connection], Awaitable[tuple[int, BaseModel]]],
) -> JSONResponse:
    """Runs `act` once per Idempotency-Key: a retry gets the first answer, in the same transaction as the effect."""
    idempotency = Idempotency(res.settings.db_schema)
    payload: Any = None if body is None else body.model_dump(mode="json")
    fingerprint = request_fingerprint("POST", request.url.path, payload)
    async with res.pool.acquire() as conn, conn.transaction():
        earlier = await idempotency.replay(conn, principal, key, fingerprint)
        if earlier is not None:
            return JSONResponse(earlier[1], status_code=earlier[0])
        status, result = await act(conn)
        answer = result.model_dump(mode="json")
        await idempotency.remember(conn, principal, key, fingerprint, status, answer)
    return JSONResponse(answer, status_code=status)
