"""Confirming an e-mail address: the link sent when it is added (or asked for again), and following it.

The confirmation e-mail is the one message that goes to an unconfirmed address, so it is sent here, by the API,
after the token's hash is committed, and not queued as a delivery: a queued message would have to keep the token
itself in the database until it is sent. If the mail server is unavailable, the address stays unconfirmed and the
person can ask for the link again (Settings).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import structlog
from fastapi import APIRouter
from pydantic import ConfigDict

from accord.notifications.adapters.email import SmtpSender
from accord.notifications.adapters.people import People, StoredContactPoint
from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import DeliveryFailure, Outgoing
from accord.notifications.domain.email_confirmation import TokenState, link_path, new_token, state_of, token_sha256
from accord.notifications.domain.templates import TemplateCode, render
from accord.notifications.entrypoints.api import queries
from accord.notifications.entrypoints.api.common import audit_of, client_of, not_yours, repository_of, settings_of
from accord.notifications.entrypoints.api.schemas import EmailOut
from accord.notifications.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal, Principal
from accord.shared.db import Connection
from accord.shared.events.contracts.notifications import Channel
from accord.shared.inputs import RequestModel, Text
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/notifications", tags=["contact points"])


class ConfirmationIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Text(100, min_length=20)


@dataclass(frozen=True)
class Issued:
    """A link made in a transaction, to be sent once that transaction has committed."""

    point: ContactPoint
    token: str
    locale: str


async def issue(conn: Connection, res: Resources[Settings], principal: Principal, point: ContactPoint) -> Issued:
    made = new_token()
    expires_at = datetime.now(UTC) + timedelta(hours=settings_of(res).email_confirmation_hours)
    await repository_of(res, conn).email_confirmations.issue(point.id, made.sha256, expires_at)
    await audit_of(res).record(conn, principal, "send_confirmation", "contact_point", point.id, client_of(principal))
    return Issued(point, made.token, await queries.locale_of(conn, res, principal))


async def send(res: Resources[Settings], issued: Issued) -> bool:
    """Sends the link; False (and a log line without the address) if the mail server did not take it."""
    s = settings_of(res)
    if not s.email_enabled:
        return False
    link = s.app_base_url.rstrip("/") + link_path(issued.token)
    message = render(TemplateCode.EMAIL_CONFIRMATION, issued.locale, {"link": link})
    try:
        await SmtpSender(s).send(issued.point, Outgoing(message, uuid4()))
    except DeliveryFailure as failure:
        log.warning("confirmation e-mail not sent", detail=failure.detail)
        return False
    return True


@router.post("/contact-points/{point_id}/confirmation-link", status_code=202, response_model=EmailOut)
async def send_again(point_id: UUID, principal: CurrentPrincipal, res: ResourcesDep) -> EmailOut:
    """A new link for one of the caller's unconfirmed addresses; links sent before stop working."""
    async with res.pool.acquire() as conn, conn.transaction():
        stored = await _own_email(conn, principal, point_id)
        if stored is None:
            raise await not_yours(res, principal, "send_confirmation", "contact_point", point_id)
        if stored.confirmed:
            raise Problem(409, "Already confirmed", "This e-mail address is already confirmed", field="point_id")
        issued = await issue(conn, res, principal, stored.point)
    await send(res, issued)
    return email_out(stored)


@router.post("/email-confirmations", response_model=EmailOut)
async def confirm(body: ConfirmationIn, principal: CurrentPrincipal, res: ResourcesDep) -> EmailOut:
    """Follows a link: the address becomes usable for notifications. Works once, before it expires, and only for
    the person who added the address (anyone else gets the same 404 as for a link that never existed)."""
    sha256 = token_sha256(body.token)
    now = datetime.now(UTC)
    async with res.pool.acquire() as conn, conn.transaction():
        found = await repository_of(res, conn).email_confirmations.find_for_update(sha256)
        if found is None or (found.tenant_id, found.person_id) != (principal.tenant_id, principal.subject):
            raise _unknown_link()
        state = state_of(found.expires_at, found.used_at, now)
        if state is not TokenState.USABLE:
            raise _spent(state)
        await repository_of(res, conn).email_confirmations.use(sha256, found.contact_point_id, now)
        await audit_of(res).record(
            conn, principal, "confirm", "contact_point", found.contact_point_id, client_of(principal)
        )
        stored = await _own_email(conn, principal, found.contact_point_id)
    assert stored is not None
    return email_out(stored)


async def _own_email(conn: Connection, principal: Principal, point_id: UUID) -> StoredContactPoint | None:
    return await People(conn).contact_point(principal.tenant_id, principal.subject, Channel.EMAIL, point_id)


def email_out(stored: StoredContactPoint) -> EmailOut:
    return EmailOut(
        id=stored.point.id,
        email=stored.point.address,
        created_at=stored.created_at,
        active=stored.active,
        confirmed=stored.confirmed,
    )


def _unknown_link() -> Problem:
    return Problem(
        404,
        "Confirmation link not recognised",
        "This link is not one Accord sent to you. Sign in as the person who added the address, or ask for a new link",
        field="token",
        reason="unknown",
    )


def _spent(state: TokenState) -> Problem:
    if state is TokenState.USED:
        return Problem(
            410, "Confirmation link already used", "This link has been used already", field="token", reason="used"
        )
    detail = "This link has expired: ask for a new one in Settings"
    return Problem(410, "Confirmation link expired", detail, field="token", reason="expired")
