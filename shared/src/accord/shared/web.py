"""The FastAPI skeleton every API shares (each service's and the gateway's): health, readiness, request ids, the
latency metric, problem+json, and the Edge (accord.shared.edge) around it all."""

import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.shared.auth import verifier_from_settings
from accord.shared.edge import Edge, accepted_request_id
from accord.shared.metrics import HTTP_LATENCY
from accord.shared.problems import install_problem_handlers, problem_response
from accord.shared.settings import WebSettings

ReadinessCheck = Callable[[], Awaitable[None]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
tracer = trace.get_tracer("accord.http")
log = structlog.get_logger("accord.http")
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def build_web_app(
    settings: WebSettings,
    routers: Sequence[APIRouter] = (),
    *,
    lifespan: Lifespan,
    readiness: dict[str, ReadinessCheck],
    **fastapi_args: Any,
) -> FastAPI:
    if settings.environment == "production":  # no interactive docs in production; the OpenAPI document stays
        fastapi_args |= {"docs_url": None, "redoc_url": None}
    app = create_app(
        settings.service,
        readiness=readiness,
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        **fastapi_args,
    )
    app.state.token_verifier = verifier_from_settings(
        settings.oidc_issuer, settings.oidc_audience, settings.oidc_jwks_url, settings.oidc_jwks
    )
    for router in routers:
        app.include_router(router)
    return app


def create_app(
    service: str,
    *,
    readiness: dict[str, ReadinessCheck],
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    **fastapi_args: Any,
) -> FastAPI:
    """The app with /health and /ready; its metrics are served on a port of their own (web_cli --metrics-port),
    never on this one."""
    # FastAPI's own OpenTelemetry instrumentation is off: RequestContext makes the one server span per request (and
    # prometheus-client the metrics), so a tracing SDK would otherwise record each request twice.
    telemetry: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
    app = FastAPI(title=f"Accord {service}", telemetry=telemetry, **fastapi_args)
    install_problem_handlers(app)
    _document_problems(app)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        """Liveness: the process is up and serving."""
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        """Readiness: what this process needs to answer does. Which one does not goes to the log, not to the
        caller."""
        failing = {}
        for name, check in readiness.items():
            try:
                await check()
            except Exception as exc:
                failing[name] = type(exc).__name__
        if failing:
            log.warning("not ready", failing=failing)
            return problem_response(503, "Not ready", "Not ready to answer requests")
        return JSONResponse({"status": "ready"})

    app.add_middleware(RequestContext, service=service)
    _outermost(app, Edge, max_body_bytes=max_body_bytes)
    return app


def _outermost(app: FastAPI, layer: Callable[..., ASGIApp], **options: Any) -> None:
    """Wraps `layer` around the whole middleware stack, Starlette's ServerErrorMiddleware included (app.add_middleware
    places it inside that one), so that even a crash's answer passes it."""
    build = app.build_middleware_stack

    def build_wrapped() -> ASGIApp:
        return layer(build(), **options)

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]


class StatusSend:
    """An ASGI `send` that passes every message on and remembers the answer's status, for a layer that logs or measures
    the request after the app has answered. The status is 500 until an answer starts: an app that raised without
    answering gets ServerErrorMiddleware's 500, which is what such a layer reports.

    `start`, if given, sends the answer's start message in place of `send` (a layer adding headers to it)."""

    __slots__ = ("_send", "_start", "status")

    def __init__(self, send: Send, start: Send | None = None) -> None:
        self.status = 500
        self._send = send
        self._start = send if start is None else start

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            await self._start(message)
        else:
            await self._send(message)


class RequestContext:
    """The request id on the answer, a server span continuing the caller's W3C trace, and the latency metric, for every
    request (the id in the logs is the Edge's, around it).

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs each request through an
    extra task and stream, a cost paid on every call."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = accepted_request_id(headers)

        async def start_with_id(message: Message) -> None:
            message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        sent = StatusSend(send, start_with_id)
        start = time.perf_counter()
        # The logs' request_id is bound by the Edge, which every app has around this layer (create_app): binding the
        # same id again here cost as much as the binding itself.
        with server_span(scope["method"], headers) as span:
            try:
                await self.app(scope, receive, sent)
            finally:
                route = _route_template(scope)
                if span is not None:
                    span.update_name(f"{scope['method']} {route}")
                HTTP_LATENCY.labels(self.service, scope["method"], route, str(sent.status)).observe(
                    time.perf_counter() - start
                )


def tracing() -> bool:
    """Whether a tracing SDK is installed. Without one every span is a no-op, and making them costs a noticeable
    share of a proxied request."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


@contextmanager
def server_span(method: str, headers: Mapping[str, str]) -> Iterator[trace.Span | None]:
    """The request's span, continuing the caller's trace; without a tracing SDK, just the caller's trace context.
    Either way events this request writes to the outbox carry the trace on through Kafka."""
    if tracing():
        with tracer.start_as_current_span(method, context=propagate.extract(headers), kind=trace.SpanKind.SERVER) as s:
            yield s
    elif "traceparent" in headers:
        token = otel_context.attach(propagate.extract(headers))
        try:
            yield None
        finally:
            otel_context.detach(token)
    else:
        yield None


def _route_template(scope: Scope) -> str:
    """The path template of the route that answered (the router leaves it in the scope), so identifiers in URLs
    never become metric labels."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `field` names the offending input where there is one.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["title", "status"],
    "additionalProperties": True,
}


def _document_problems(app: FastAPI) -> None:
    """Every error answer is application/problem+json; say so in the OpenAPI document, in place of FastAPI's
    default 422 body, so that clients (and schema-driven tests) know what to expect."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
        problem = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for item in doc.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["4XX"] = {"description": "The request was refused; see the problem", **problem}
                responses["5XX"] = {"description": "Something went wrong on our side", **problem}
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
