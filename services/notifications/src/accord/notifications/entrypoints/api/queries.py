"""Reads: what a person reads of their own notifications (their inbox and its unread count, where their live
stream starts, their preferences, their contact points), each in one transaction with its audit row. Every read is
of the caller's own rows (tenant and recipient from the token), so none is refused."""

from datetime import datetime
from uuid import UUID

from accord.notifications.adapters.in_app_messages import InAppMessage
from accord.notifications.adapters.people import StoredContactPoint
from accord.notifications.domain.preferences import Preferences
from accord.notifications.domain.templates import resolve_locale
from accord.notifications.entrypoints.api.common import audit_of, client_of, defaults_of, repository_of, settings_of
from accord.notifications.settings import Settings
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.events.contracts.notifications import Channel
from accord.shared.runtime import Resources


async def inbox_page(
    res: Resources[Settings], principal: Principal, before: tuple[datetime, UUID] | None, limit: int
) -> tuple[list[InAppMessage], str]:
    """Up to `limit` items older than `before`, newest first, and the locale to render them in."""
    async with res.pool.acquire() as conn, conn.transaction():
        items = await repository_of(res, conn).in_app_messages.page(
            principal.tenant_id, principal.subject, before, limit
        )
        locale = await locale_of(conn, res, principal)
        await audit_of(res).record(conn, principal, "list", "inbox", principal.subject, client_of(principal))
    return items, locale


async def unread_count(res: Resources[Settings], principal: Principal) -> int:
    async with res.pool.acquire() as conn, conn.transaction():
        count = await repository_of(res, conn).in_app_messages.unread_count(principal.tenant_id, principal.subject)
        await audit_of(res).record(conn, principal, "count_unread", "inbox", principal.subject, client_of(principal))
    return count


async def stream_batch(
    res: Resources[Settings], principal: Principal, after_seq: int, limit: int
) -> tuple[list[InAppMessage], int]:
    """The live stream's poll: up to `limit` of the caller's items after `after_seq`, oldest first, and their unread
    count. Not audited: the stream's one audit row was written when it opened (`stream_start`)."""
    async with res.pool.acquire() as conn:
        messages = repository_of(res, conn).in_app_messages
        items = await messages.after(principal.tenant_id, principal.subject, after_seq, limit)
        unread = await messages.unread_count(principal.tenant_id, principal.subject)
    return items, unread


async def stream_start(res: Resources[Settings], principal: Principal) -> int:
    """The place of the newest item in the caller's inbox: a stream opened now is live from there."""
    async with res.pool.acquire() as conn, conn.transaction():
        newest = await repository_of(res, conn).in_app_messages.last_seq(principal.tenant_id, principal.subject)
        await audit_of(res).record(conn, principal, "stream", "inbox", principal.subject, client_of(principal))
    return newest


async def preferences(res: Resources[Settings], principal: Principal) -> Preferences:
    async with res.pool.acquire() as conn, conn.transaction():
        prefs = await repository_of(res, conn).people.preferences(
            principal.tenant_id, principal.subject, defaults_of(res)
        )
        await audit_of(res).record(
            conn, principal, "read", "notification_preferences", principal.subject, client_of(principal)
        )
    return prefs


async def contact_points(
    res: Resources[Settings], principal: Principal, channel: Channel, after: tuple[datetime, UUID] | None, limit: int
) -> list[StoredContactPoint]:
    """Up to `limit` of the caller's contact points of one channel, after `after`."""
    resource = "contact_point" if channel is Channel.EMAIL else "push_subscription"
    async with res.pool.acquire() as conn, conn.transaction():
        stored = await repository_of(res, conn).people.contact_points_page(
            principal.tenant_id, principal.subject, channel, after, limit
        )
        await audit_of(res).record(conn, principal, "list", resource, None, client_of(principal))
    return stored


async def locale_of(conn: Connection, res: Resources[Settings], principal: Principal) -> str:
    """The person's locale, else the service's default, else English."""
    prefs = await repository_of(res, conn).people.preferences(principal.tenant_id, principal.subject, defaults_of(res))
    return resolve_locale(prefs.locale, settings_of(res).default_locale)
