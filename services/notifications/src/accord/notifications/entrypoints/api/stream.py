"""My inbox, live: new items and the unread count as Server-Sent Events, without polling.

`GET /notifications/stream` with `Accept: text/event-stream` (without it: 406, rather than an answer that never ends):
- `event: inbox`, `id: <seq>`, data `{"id", "kind", "created_at", "link", "unread_count"}` for each new item (a
  safety signal is `kind: "safety_signal"`); never the message's text, which the app reads from the inbox list.
- `event: unread`, `id: <seq of the last item sent>`, data `{"unread_count"}` once caught up after connecting
  (after the items missed, if any: from here on the stream is live) and whenever items are marked read (on any
  device).
- a `retry:` hint first, and a comment line every `stream_heartbeat_seconds`.

`id` is the item's place in the caller's inbox (1, 2, 3... in commit order). A client reconnecting with
`Last-Event-ID: n` first receives every item after n, then live ones: nothing is lost across a dropped connection
or a gateway restart. Without it the stream starts from now.

Authorization: the token is verified at connect (`CurrentPrincipal`) and the stream ends at the token's `exp`; the
client reconnects with a fresh token (the web app's gateway session supplies one). Every read is of the caller's own
rows (tenant and recipient from the token). The audit trail gets one row per connect ("stream", "inbox"), not one
per event: a connection is one read of one's own inbox, however long it stays open.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

import jwt
from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from accord.notifications.adapters.inbox_listener import InboxListener
from accord.notifications.entrypoints.api import queries
from accord.notifications.entrypoints.api.common import settings_of
from accord.notifications.entrypoints.api.schemas import InboxEventOut, UnreadEventOut
from accord.notifications.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal, Principal
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

router = APIRouter(prefix="/notifications", tags=["inbox"])

EVENT_STREAM = "text/event-stream"
LastEventId = Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)]


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"description": "an endless stream of events", "content": {"text/event-stream": {}}},
        406: {"description": "not asked for as an event stream", "content": {"application/problem+json": {}}},
    },
)
async def stream(
    principal: CurrentPrincipal, res: ResourcesDep, request: Request, last_event_id: LastEventId = None
) -> EventSourceResponse:
    if EVENT_STREAM not in request.headers.get("accept", ""):
        # A client that cannot read a stream would wait on this answer until the token expired.
        raise Problem(406, "Not acceptable", f"This is an event stream: send Accept: {EVENT_STREAM}", field="Accept")
    resume_after = _cursor(last_event_id)
    newest = await queries.stream_start(res, principal)
    # An id from the future (someone else's, or made up) must not make the stream skip items yet to come.
    cursor = newest if resume_after is None else min(resume_after, newest)
    s = settings_of(res)
    listener: InboxListener = request.app.state.inbox_listener
    return EventSourceResponse(
        _events(res, listener, principal, cursor, _expiry(request)),
        ping=s.stream_heartbeat_seconds,
        send_timeout=s.stream_send_timeout_seconds,
        headers={"Cache-Control": "no-cache"},
    )


async def _events(
    res: Resources[Settings], listener: InboxListener, principal: Principal, cursor: int, expires_at: float
) -> AsyncIterator[ServerSentEvent]:
    s = settings_of(res)
    base = s.app_base_url.rstrip("/")
    yield ServerSentEvent(retry=s.stream_retry_ms)
    with listener.subscribe(principal.subject) as wake:
        caught_up = False
        while time.time() < expires_at:
            wake.clear()  # before reading, so a commit during the read wakes the next wait
            items, unread = await queries.stream_batch(res, principal, cursor, s.stream_batch_size)
            for item in items:
                cursor = item.seq
                data = InboxEventOut(
                    id=item.id, kind=item.template.value, created_at=item.created_at,
                    link=base + item.link_path, unread_count=unread,
                )  # fmt: skip
                yield ServerSentEvent(data.model_dump_json(), event="inbox", id=str(cursor))
            if len(items) == s.stream_batch_size:
                continue  # more are waiting
            # Once caught up after connecting, and whenever woken with no new item (one was marked read).
            if not caught_up or not items:
                count = UnreadEventOut(unread_count=unread).model_dump_json()
                yield ServerSentEvent(count, event="unread", id=str(cursor))
            caught_up = True
            try:
                await asyncio.wait_for(wake.wait(), timeout=max(0.0, expires_at - time.time()))
            except TimeoutError:
                return  # the token expired: the client reconnects with a fresh one


def _cursor(last_event_id: str | None) -> int | None:
    text = (last_event_id or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise Problem(400, "Invalid Last-Event-ID", "It is not an id this stream sent", field="Last-Event-ID")
    return int(text)


def _expiry(request: Request) -> float:
    """The `exp` of the token CurrentPrincipal has just verified (so its claims are read here without checking the
    signature again)."""
    token = request.headers["authorization"].partition(" ")[2].strip()
    return float(jwt.decode(token, options={"verify_signature": False})["exp"])
