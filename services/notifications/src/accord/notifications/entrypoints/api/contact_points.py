"""My contact points: e-mail addresses and Web Push subscriptions, registered by the person themselves."""

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from accord.notifications.adapters.people import StoredContactPoint
from accord.notifications.adapters.push import vapid_public_key
from accord.notifications.domain.contact_points import (
    InvalidContactPoint,
    check_push_endpoint,
    check_push_keys,
    normalise_email,
)
from accord.notifications.entrypoints.api import email_confirmation, queries
from accord.notifications.entrypoints.api.common import (
    IdempotencyKey,
    audit_of,
    client_of,
    idempotent_post,
    not_yours,
    repository_of,
    settings_of,
)
from accord.notifications.entrypoints.api.schemas import (
    EmailIn,
    EmailOut,
    PublicKeyOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
)
from accord.notifications.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal, Principal
from accord.shared.db import Connection
from accord.shared.events.contracts.notifications import Channel
from accord.shared.pagination import Page, time_and_id, time_and_id_cursor
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

router = APIRouter(prefix="/notifications", tags=["contact points"])
Limit = Annotated[int, Query(ge=1, le=100)]
T = TypeVar("T")


@router.post("/contact-points", status_code=201, response_model=EmailOut)
async def add_email(
    body: EmailIn, principal: CurrentPrincipal, res: ResourcesDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    address = _valid(lambda: normalise_email(body.email))
    issued: list[email_confirmation.Issued] = []

    async def act(conn: Connection) -> tuple[int, EmailOut]:
        stored = await repository_of(res, conn).people.register(
            principal.tenant_id, principal.subject, Channel.EMAIL, address
        )
        await _audit(conn, res, principal, "create", "contact_point", stored.point.id)
        if not stored.confirmed:
            issued.append(await email_confirmation.issue(conn, res, principal, stored.point))
        return 201, email_confirmation.email_out(stored)

    answer = await idempotent_post(res, principal, request, key, body, act)
    for link in issued:  # after the commit: the link must work by the time it arrives
        await email_confirmation.send(res, link)
    return answer


@router.get("/contact-points", response_model=Page[EmailOut])
async def list_emails(
    principal: CurrentPrincipal, res: ResourcesDep, cursor: str | None = None, limit: Limit = 20
) -> Page[EmailOut]:
    stored = await _page(res, principal, Channel.EMAIL, cursor, limit)
    return Page(items=[email_confirmation.email_out(s) for s in stored[:limit]], next_cursor=_next(stored, limit))


@router.delete("/contact-points/{point_id}", status_code=204)
async def remove_email(point_id: UUID, principal: CurrentPrincipal, res: ResourcesDep) -> Response:
    await _remove(res, principal, Channel.EMAIL, "contact_point", point_id)
    return Response(status_code=204)


@router.get("/push/public-key", response_model=PublicKeyOut)
async def push_public_key(principal: CurrentPrincipal, res: ResourcesDep) -> PublicKeyOut:
    """The VAPID applicationServerKey to subscribe with."""
    key = settings_of(res).vapid_private_key
    if key is None:
        raise _push_off()
    return PublicKeyOut(public_key=vapid_public_key(key.get_secret_value()))


@router.post("/push-subscriptions", status_code=201, response_model=PushSubscriptionOut)
async def add_push_subscription(
    body: PushSubscriptionIn,
    principal: CurrentPrincipal,
    res: ResourcesDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    s = settings_of(res)
    if not s.push_enabled:
        raise _push_off()
    endpoint = _valid(lambda: check_push_endpoint(body.endpoint, s.push_endpoint_hosts, s.push_require_https))
    _valid(lambda: check_push_keys(body.keys.p256dh, body.keys.auth))

    async def act(conn: Connection) -> tuple[int, PushSubscriptionOut]:
        keys = (body.keys.p256dh, body.keys.auth)
        stored = await repository_of(res, conn).people.register(
            principal.tenant_id, principal.subject, Channel.PUSH, endpoint, keys
        )
        await _audit(conn, res, principal, "create", "push_subscription", stored.point.id)
        return 201, _push_out(stored)

    return await idempotent_post(res, principal, request, key, body, act)


@router.get("/push-subscriptions", response_model=Page[PushSubscriptionOut])
async def list_push_subscriptions(
    principal: CurrentPrincipal, res: ResourcesDep, cursor: str | None = None, limit: Limit = 20
) -> Page[PushSubscriptionOut]:
    stored = await _page(res, principal, Channel.PUSH, cursor, limit)
    return Page(items=[_push_out(s) for s in stored[:limit]], next_cursor=_next(stored, limit))


@router.delete("/push-subscriptions/{point_id}", status_code=204)
async def remove_push_subscription(point_id: UUID, principal: CurrentPrincipal, res: ResourcesDep) -> Response:
    await _remove(res, principal, Channel.PUSH, "push_subscription", point_id)
    return Response(status_code=204)


async def _page(
    res: Resources[Settings], principal: Principal, channel: Channel, cursor: str | None, limit: int
) -> list[StoredContactPoint]:
    return await queries.contact_points(res, principal, channel, time_and_id(cursor), limit + 1)


async def _remove(
    res: Resources[Settings], principal: Principal, channel: Channel, resource: str, point_id: UUID
) -> None:
    async with res.pool.acquire() as conn, conn.transaction():
        repo = repository_of(res, conn)
        if not await repo.people.remove(principal.tenant_id, principal.subject, channel, point_id):
            raise await not_yours(res, principal, "delete", resource, point_id)
        await repo.deliveries.cancel_for_contact_point(point_id, "contact point removed")
        await _audit(conn, res, principal, "delete", resource, point_id)


async def _audit(
    conn: Connection,
    res: Resources[Settings],
    principal: Principal,
    action: str,
    resource: str,
    resource_id: UUID | None,
) -> None:
    await audit_of(res).record(conn, principal, action, resource, resource_id, client_of(principal))


def _valid(check: Callable[[], T]) -> T:
    try:
        return check()
    except InvalidContactPoint as exc:
        raise Problem(422, "Invalid request", f"{exc.field} {exc.reason}", field=exc.field) from None


def _push_off() -> Problem:
    return Problem(503, "Push is not available", "Web Push is not configured on this server")


def _next(stored: list[StoredContactPoint], limit: int) -> str | None:
    if len(stored) <= limit:
        return None
    last = stored[limit - 1]
    return time_and_id_cursor(last.created_at, last.point.id)


def _push_out(stored: StoredContactPoint) -> PushSubscriptionOut:
    host = urlsplit(stored.point.address).hostname or ""
    return PushSubscriptionOut(
        id=stored.point.id, endpoint_host=host, created_at=stored.created_at, active=stored.active
    )
