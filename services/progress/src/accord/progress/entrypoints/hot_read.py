"""The progress service's most frequent request, `GET /progress/goals/{goal_id}`, answered by one plain ASGI layer
rather than through Starlette's and FastAPI's layers (RequestContext, ExceptionMiddleware, FastAPI's exit stack, the
router, the route's parameter solving and endpoint wrapping).

The answer is the route's own (`api.progress_answer`: the same token check, authorization by role, audit row, ETag
and 304); around it this layer does what the skipped layers do for this request (hot.py: the span, the latency
metric under the route's template, a refusal as problem+json, the database being away as 503).

Only a canonical goal id (8-4-4-4-12 hex digits) and an If-None-Match within the route's limit are taken; anything
else goes the long way, whose validation answers 422 as the OpenAPI document says."""

import re
from uuid import UUID

from fastapi import Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.progress.entrypoints.api import IF_NONE_MATCH_MAX, progress_answer
from accord.progress.entrypoints.hot import respond

ROUTE = "/progress/goals/{goal_id}"  # the latency metric's label, as the router gives it
_PATH = re.compile(r"/progress/goals/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")


class HotProgressRead:
    """Outermost of the service's own layers (inside the Edge and Starlette's ServerErrorMiddleware)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _PATH.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if_none_match = headers.get("if-none-match")
        if if_none_match is not None and len(if_none_match) > IF_NONE_MATCH_MAX:
            await self.app(scope, receive, send)  # the long way's 422
            return
        request, goal_id = Request(scope, receive), UUID(found[1])
        await respond(self.service, ROUTE, request, headers, send, lambda: self.answer(request, goal_id, if_none_match))

    @staticmethod
    async def answer(request: Request, goal_id: UUID, if_none_match: str | None) -> Response:
        return await progress_answer(request, goal_id, if_none_match)
