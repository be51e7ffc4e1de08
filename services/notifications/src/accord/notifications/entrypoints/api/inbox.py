"""My inbox: list (newest first, cursor-paginated), unread count, mark read."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from accord.notifications.adapters.in_app_messages import InAppMessage
from accord.notifications.domain.templates import render
from accord.notifications.entrypoints.api import queries
from accord.notifications.entrypoints.api.common import (
    IdempotencyKey,
    audit_of,
    client_of,
    idempotent_post,
    not_yours,
    repository_of,
    settings_of,
)
from accord.notifications.entrypoints.api.schemas import InboxItemOut, UnreadCountOut
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal
from accord.shared.db import Connection
from accord.shared.pagination import Page, time_and_id, time_and_id_cursor

router = APIRouter(prefix="/notifications/inbox", tags=["inbox"])


@router.get("", response_model=Page[InboxItemOut])
async def list_inbox(
    principal: CurrentPrincipal,
    res: ResourcesDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[InboxItemOut]:
    before = time_and_id(cursor)
    items, locale = await queries.inbox_page(res, principal, before, limit + 1)
    base = settings_of(res).app_base_url
    page = [_out(item, locale, base) for item in items[:limit]]
    last = items[limit - 1] if len(items) > limit else None
    return Page(items=page, next_cursor=time_and_id_cursor(last.created_at, last.id) if last else None)


@router.get("/unread-count", response_model=UnreadCountOut)
async def unread_count(principal: CurrentPrincipal, res: ResourcesDep) -> UnreadCountOut:
    return UnreadCountOut(unread=await queries.unread_count(res, principal))


@router.post("/{item_id}/read", response_model=InboxItemOut)
async def mark_read(
    item_id: UUID, principal: CurrentPrincipal, res: ResourcesDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    async def act(conn: Connection) -> tuple[int, InboxItemOut]:
        item = await repository_of(res, conn).in_app_messages.mark_read(principal.tenant_id, principal.subject, item_id)
        if item is None:
            raise await not_yours(res, principal, "mark_read", "inbox_item", item_id)
        await audit_of(res).record(conn, principal, "mark_read", "inbox_item", item_id, client_of(principal))
        return 200, _out(item, await queries.locale_of(conn, res, principal), settings_of(res).app_base_url)

    return await idempotent_post(res, principal, request, key, None, act)


def _out(item: InAppMessage, locale: str, base_url: str) -> InboxItemOut:
    message = render(item.template, locale, {"link": base_url.rstrip("/") + item.link_path, "count": 1})
    return InboxItemOut(
        id=item.id,
        kind=item.template.value,
        title=message.title,
        body=message.body,
        link=message.link,
        created_at=item.created_at,
        read_at=item.read_at,
    )
