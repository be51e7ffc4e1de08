"""The FastAPI skeleton every service's API shares: health, readiness, metrics, request ids, problem+json."""

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry import propagate, trace
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Match

from accord.shared.metrics import HTTP_LATENCY
from accord.shared.problems import install_problem_handlers, problem_response

ReadinessCheck = Callable[[], Awaitable[None]]
tracer = trace.get_tracer("accord.http")


def create_app(service: str, *, readiness: dict[str, ReadinessCheck], **fastapi_args: Any) -> FastAPI:
    app = FastAPI(title=f"Accord {service}", **fastapi_args)
    install_problem_handlers(app)
    _document_problems(app)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        """Liveness: the process is up and serving."""
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        """Readiness: every dependency (database, Kafka) answers."""
        failing = {}
        for name, check in readiness.items():
            try:
                await check()
            except Exception as exc:
                failing[name] = type(exc).__name__
        if failing:
            return problem_response(503, "Not ready", "A dependency does not answer", failing=failing)
        return JSONResponse({"status": "ready", "checks": sorted(readiness)})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = 500
        route = _route_template(app, request)
        # A server span continuing the caller's W3C trace: events this request writes to the outbox carry it on.
        span = tracer.start_as_current_span(
            f"{request.method} {route}", context=propagate.extract(request.headers), kind=trace.SpanKind.SERVER
        )
        try:
            with span:
                response = await call_next(request)
            status = response.status_code
            response.headers["x-request-id"] = request_id
            return response
        finally:
            HTTP_LATENCY.labels(service, request.method, route, str(status)).observe(time.perf_counter() - start)
            structlog.contextvars.unbind_contextvars("request_id")

    return app


def _route_template(app: FastAPI, request: Request) -> str:
    """The route's path template, so identifiers in URLs never become metric labels."""
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "unmatched"))
    return "unmatched"


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
