"""The progress service's most frequent write, `POST /progress/goals/{goal_id}/entries`, answered by one plain ASGI
layer rather than through Starlette's and FastAPI's layers (RequestContext, ExceptionMiddleware, FastAPI's exit
stack, the router, the route's parameter solving, body parsing and endpoint wrapping).

The answer is the route's own (`api.entry_answer`: the same token check, authorization in the handler's Context,
Idempotency-Key and its fingerprint, audit rows, outbox events and 201); around it this layer does what the skipped
layers do for this request (hot.py: the span, the latency metric under the route's template, a refusal as
problem+json, the database being away as 503). The body is parsed as the long way parses it (`json.loads`, what
Starlette's `Request.json` does) and validated by the route's own model in the same (Python) mode.

Only what this layer is certain to answer as the long way does is taken: a canonical goal id (8-4-4-4-12 hex
digits), a JSON content type (`application/json`, with or without parameters), an Idempotency-Key within the route's
limit and a body the model accepts. Anything else goes the long way, whose validation words the 422 as the OpenAPI
document says; a body already read is replayed to it as it was received."""

import json
import re
import time
from collections import deque
from uuid import UUID

from fastapi import Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.progress.entrypoints import schemas as s
from accord.progress.entrypoints.api import IDEMPOTENCY_KEY_MAX, entry_answer
from accord.progress.entrypoints.hot import respond

ROUTE = "/progress/goals/{goal_id}/entries"  # the latency metric's label, as the router gives it
_PATH = re.compile(
    r"/progress/goals/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/entries"
)


class HotEntryWrite:
    """One of the service's outermost layers (inside the Edge and Starlette's ServerErrorMiddleware)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _PATH.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if not _json(headers.get("content-type")) or (key is not None and len(key) > IDEMPOTENCY_KEY_MAX):
            await self.app(scope, receive, send)  # the long way's 422
            return
        start = time.perf_counter()
        received = await _received(receive)
        replay = _replaying(received, receive)
        body = _entry(received)
        if body is None:
            await self.app(scope, replay, send)  # the long way's 422 (or whatever it makes of the body)
            return
        request, goal_id = Request(scope, replay), UUID(found[1])

        async def answer() -> Response:
            return await self.answer(request, goal_id, body, key)

        await respond(self.service, ROUTE, request, headers, send, answer, start=start)

    @staticmethod
    async def answer(request: Request, goal_id: UUID, body: s.EntryCreate, key: str | None) -> Response:
        return await entry_answer(request, goal_id, body, key)


def _json(content_type: str | None) -> bool:
    """Whether FastAPI reads the body as JSON, for the one media type taken here: it asks `email.message` for the
    content type, which is the value before any `;`, stripped and lowercased."""
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


async def _received(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (or the client going away), as they came."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives the messages already taken again, then whatever comes next."""
    pending = deque(messages)

    async def replay() -> Message:
        return pending.popleft() if pending else await receive()

    return replay


def _entry(messages: list[Message]) -> s.EntryCreate | None:
    """The body as the route's model, when it is complete, JSON and valid: parsed as Starlette parses it and
    validated as FastAPI validates it. None for anything else, which the long way answers."""
    if messages[-1]["type"] != "http.request":
        return None  # the client went away before the end of the body
    raw = b"".join(m.get("body", b"") for m in messages)
    try:
        return s.EntryCreate.model_validate(json.loads(raw))
    except Exception:  # not JSON, not valid, nested too deep: the long way words the refusal
        return None
