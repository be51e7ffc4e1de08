"""The progress service's most frequent request, `GET /progress/goals/{goal_id}`, answered by one plain ASGI layer
rather than through Starlette's and FastAPI's layers (RequestContext, ExceptionMiddleware, FastAPI's exit stack, the
router, the route's parameter solving and endpoint wrapping).

The answer is the route's own (`api.progress_answer`: the same token check, authorization by role, audit row, ETag
and 304); around it this layer does what the skipped layers do for this request: the request's span or the caller's
trace context (`server_span`), the latency metric under the route's template, a refusal as problem+json (as the app's
handler for `Problem` words it) and the database being away as 503 (the app's own handler). The Edge is still
around it (size limits, canonical path, the request id on the answer and in the logs, the security headers), and so
is Starlette's ServerErrorMiddleware (an unexpected error's 500).

Only a canonical goal id (8-4-4-4-12 hex digits) and an If-None-Match within the route's limit are taken; anything
else goes the long way, whose validation answers 422 as the OpenAPI document says."""

import re
import time
from uuid import UUID

from fastapi import Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.progress.entrypoints.api import IF_NONE_MATCH_MAX, progress_answer
from accord.shared.api import DATABASE_AWAY, database_away
from accord.shared.metrics import HTTP_LATENCY
from accord.shared.problems import Problem, problem_answer
from accord.shared.web import StatusSend, server_span

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
        start = time.perf_counter()
        sent = StatusSend(send)
        with server_span("GET", headers) as span:
            try:
                response = await self.answer(Request(scope, receive), UUID(found[1]), if_none_match)
                await response(scope, receive, sent)
            finally:
                if span is not None:
                    span.update_name(f"GET {ROUTE}")
                HTTP_LATENCY.labels(self.service, "GET", ROUTE, str(sent.status)).observe(time.perf_counter() - start)

    @staticmethod
    async def answer(request: Request, goal_id: UUID, if_none_match: str | None) -> Response:
        try:
            return await progress_answer(request, goal_id, if_none_match)
        except Problem as exc:  # as the app's handler for Problem words it
            return problem_answer(request, exc)
        except DATABASE_AWAY as exc:
            return await database_away(request, exc)
