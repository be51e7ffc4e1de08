"""Runs a command or a query in one transaction: idempotency, the domain change, its outbox events and its audit
rows commit together; a refusal is audited in a transaction of its own and answered as problem+json."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from accord.goals.adapters.repository import Repository
from accord.goals.domain import errors
from accord.goals.handlers.context import Context
from accord.goals.settings import Settings
from accord.shared.audit import Audit
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.idempotency import Idempotency, request_fingerprint
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

T = TypeVar("T")
SCHEMA = "goals"
audit, idempotency = Audit(SCHEMA), Idempotency(SCHEMA)

STATUS = {
    errors.NotFound: 404,
    errors.NotAllowed: 403,
    errors.WrongState: 409,
    errors.LimitReached: 409,
    errors.Conflict: 409,
    errors.Stale: 412,
    errors.Invalid: 422,
}


async def execute(
    res: Resources,
    principal: Principal,
    request: Request,
    handler: Callable[[Context, Any], Awaitable[T]],
    command: object,
    render: Callable[[T], tuple[Any, dict[str, str]]],
    *,
    status: int = 200,
    body: Any = None,
) -> JSONResponse:
    key = request.headers.get("idempotency-key")
    fingerprint = request_fingerprint(request.method, request.url.path, body)
    async with res.pool.acquire() as conn:
        ctx = _context(res, Repository(conn), principal)
        try:
            async with conn.transaction():
                if (stored := await idempotency.replay(conn, principal, key, fingerprint)) is not None:
                    return JSONResponse(stored[1], status_code=stored[0])
                result = await handler(ctx, command)
                content, headers = render(result)
                content = jsonable_encoder(content)
                await res.outbox.add_many(
                    conn, [Envelope.wrap(e, producer=SCHEMA, tenant_id=principal.tenant_id) for e in ctx.events]
                )
                await _audit(conn, ctx)
                await idempotency.remember(conn, principal, key, fingerprint, status, content)
        except errors.DomainError as exc:
            raise await _refusal(res, ctx, exc) from exc
    return JSONResponse(content, status_code=status, headers=headers)


async def query(res: Resources, principal: Principal, read: Callable[[Context], Awaitable[T]]) -> T:
    async with res.pool.acquire() as conn:
        ctx = _context(res, Repository(conn), principal)
        try:
            async with conn.transaction():
                result = await read(ctx)
                await _audit(conn, ctx)
                return result
        except errors.DomainError as exc:
            raise await _refusal(res, ctx, exc) from exc


def _context(res: Resources, repo: Repository, principal: Principal) -> Context:
    settings = res.settings
    assert isinstance(settings, Settings)
    return Context(repo=repo, actor=principal, now=datetime.now(UTC), active_goal_limit=settings.active_goal_limit)


async def _audit(conn: Any, ctx: Context) -> None:
    for note in dict.fromkeys(ctx.audit):  # each distinct note once
        await audit.record(conn, ctx.actor, note.action, note.resource_type, note.resource_id, note.client_id)


async def _refusal(res: Resources, ctx: Context, exc: errors.DomainError) -> Problem:
    status = STATUS[type(exc)]
    if status in (403, 404) and ctx.attempted is not None:
        a = ctx.attempted
        await audit.denied(
            res.pool, ctx.actor, a.action, a.resource_type, a.resource_id, a.client_id, reason=type(exc).__name__
        )
    title = {404: "Not found", 403: "Forbidden", 409: "Conflict", 412: "Precondition failed", 422: "Invalid request"}[
        status
    ]
    extra: dict[str, Any] = {"field": exc.field} if isinstance(exc, errors.Invalid) else {}
    return Problem(status, title, str(exc), **extra)
