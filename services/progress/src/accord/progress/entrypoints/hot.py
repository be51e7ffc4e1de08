"""What Starlette's and FastAPI's layers do around a request that a hot path (hot_read.py, hot_write.py) answers
without them: the request's span or the caller's trace context (`server_span`), the latency metric under the route's
template, a refusal as problem+json (as the app's handler for `Problem` words it) and the database being away as 503
(the app's own handler). The Edge is still around a hot path (size limits, canonical path, the request id on the
answer and in the logs, the security headers), and so is Starlette's ServerErrorMiddleware (an unexpected error's
500)."""

import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Send

from accord.shared.api import DATABASE_AWAY, database_away
from accord.shared.metrics import HTTP_LATENCY
from accord.shared.problems import Problem, problem_answer
from accord.shared.web import StatusSend, server_span


async def respond(
    service: str,
    route: str,
    request: Request,
    headers: Headers,
    send: Send,
    answer: Callable[[], Awaitable[Response]],
    *,
    start: float | None = None,
) -> None:
    """Sends `answer`'s response as the long way would, timed from `start` (by default now) under `route`."""
    method = request.method
    start = time.perf_counter() if start is None else start
    sent = StatusSend(send)
    with server_span(method, headers) as span:
        try:
            try:
                response = await answer()
            except Problem as exc:  # as the app's handler for Problem words it
                response = problem_answer(request, exc)
            except DATABASE_AWAY as exc:
                response = await database_away(request, exc)
            await response(request.scope, request.receive, sent)
        finally:
            if span is not None:
                span.update_name(f"{method} {route}")
            HTTP_LATENCY.labels(service, method, route, str(sent.status)).observe(time.perf_counter() - start)
