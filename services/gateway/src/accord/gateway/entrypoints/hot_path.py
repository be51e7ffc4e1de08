"""The common case of the front door, a bearer request for a service's /api/v1 path, handled in one plain ASGI layer
rather than through the seven Starlette and FastAPI layers every other request passes (CORS, Guard, RequestContext,
ExceptionMiddleware, FastAPI's exit stack, the router, the Mount), each of which wraps `send` again.

It does what those layers do for such a request, with their own code where there is any: the guard's per-address
limit (`Guard.refusal`) and access-log line, the caller's token and per-user limit (`proxy.admitted`), Starlette's
CORS headers on the answer (`CORSMiddleware.send`, the same options), the request's span or the caller's trace
context (`server_span`) and the latency metric (labelled with the proxy's route, `/api/v1`, as before), a refusal as
problem+json (the app's own handler for `Problem`). The Edge is still around it (size limits, canonical path, the
request id and the security headers), and so is Starlette's ServerErrorMiddleware (an unexpected error's 500).

Everything else goes the long way: the gateway's own paths, a path no service owns, a method the API does not use,
an event stream, a CORS preflight (OPTIONS), a request with a cookie (the session swap, `SessionCookieAuth`) and the
probes."""

import time

from fastapi import Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.gateway.adapters.event_streams import EVENT_STREAM
from accord.gateway.domain.routes import Route, route
from accord.gateway.entrypoints.middleware import Guard, access_logged, cors_options
from accord.gateway.entrypoints.proxy import METHODS, PREFIX, _quoted, admitted, forward
from accord.gateway.settings import Settings
from accord.shared.metrics import HTTP_LATENCY
from accord.shared.problems import Problem, problem_answer
from accord.shared.web import StatusSend, server_span

ROUTE = PREFIX.rstrip("/")  # the latency metric's route label, as the ProxyMount gave it


class HotProxy:
    """Outermost of the gateway's own layers (inside the Edge and Starlette's ServerErrorMiddleware)."""

    def __init__(self, app: ASGIApp, settings: Settings, own_paths: frozenset[str]) -> None:
        self.app, self.own_paths, self.service = app, own_paths, settings.service
        self.guard = Guard(app, settings)
        self.cors = CORSMiddleware(app, **cors_options(settings))

    def takes(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            return False
        path: str = scope["path"]
        if not path.startswith(PREFIX) or path in self.own_paths:
            return False
        for name, value in scope["headers"]:
            if name == b"cookie" or (name == b"accept" and EVENT_STREAM.encode() in value):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.takes(scope):
            await self.app(scope, receive, send)
            return
        # The path as sent, percent-encoding and all, routed as the Proxy routes it.
        target = route(_quoted(scope.get("raw_path") or scope["path"].encode()).removeprefix(PREFIX))
        if target is None:
            await self.app(scope, receive, send)  # the long way's 404, from the one place that words it
            return
        start = time.perf_counter()
        headers = Headers(scope=scope)

        async def start_with_cors(message: Message) -> None:
            await self.cors.send(message, send, headers)  # Vary: Origin, and the CORS headers for an Origin

        sent = StatusSend(send, start_with_cors)
        refusal = await self.guard.refusal(scope)  # as the Guard: before the span and the metric
        if refusal is not None:
            await refusal(scope, receive, sent)
            access_logged(scope, sent.status, start)
            return
        with server_span(scope["method"], headers) as span:
            try:
                response = await self.proxied(scope, receive, target)
                await response(scope, receive, sent)
            finally:
                if span is not None:
                    span.update_name(f"{scope['method']} {ROUTE}")
                HTTP_LATENCY.labels(self.service, scope["method"], ROUTE, str(sent.status)).observe(
                    time.perf_counter() - start
                )
        access_logged(scope, sent.status, start)

    async def proxied(self, scope: Scope, receive: Receive, target: Route) -> Response:
        request = Request(scope, receive)
        try:
            await admitted(request)
        except Problem as exc:  # as the app's handler for Problem words it
            return problem_answer(request, exc)
        return await forward(request, target.service, target.upstream_path)
