"""What every request through the front door passes: size limit, per-address rate limit, security headers and an
access log that holds no token, no query string and no body."""

import re
import time

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.gateway.settings import Settings
from accord.shared.problems import problem_response

log = structlog.get_logger("accord.gateway.access")
_IDENTIFIER = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d{3,}")

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",  # health data must not linger in shared caches
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# The orchestrator's probes are not limited: a readiness probe must be able to say that the limit store is down.
PROBES = frozenset({"/health", "/ready"})


def loggable_path(path: str) -> str:
    """The path with identifiers masked, so access logs cannot be joined to a person."""
    return _IDENTIFIER.sub("{id}", path)


class Guard:
    """Plain ASGI (no BaseHTTPMiddleware task per request): size limit and per-address rate limit before anything
    else, security headers on every answer, and one access-log line."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, s = time.perf_counter(), self.settings
        status = 500

        async def send_secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(
                        (k.lower().encode(), v.encode())
                        for k, v in SECURITY_HEADERS.items()
                        if k.lower().encode() not in present
                    ),
                ]
            await send(message)

        length = Headers(scope=scope).get("content-length")
        client = scope.get("client")
        if length is not None and (not length.isdigit() or int(length) > s.max_body_bytes):
            refusal = problem_response(413, "Request too large", f"Send at most {s.max_body_bytes} bytes")
            await refusal(scope, receive, send_secured)
        elif scope["path"] in PROBES:
            await self.app(scope, receive, send_secured)
        elif not (
            verdict := await scope["app"].state.limiter.take(
                f"address:{client[0] if client else 'unknown'}", s.address_rate_per_second, s.address_burst
            )
        ).allowed:
            refusal = problem_response(
                429, "Too many requests", "Slow down and retry later", headers={"Retry-After": str(verdict.retry_after)}
            )
            await refusal(scope, receive, send_secured)
        else:
            await self.app(scope, receive, send_secured)
        log.info(
            "request",
            method=scope["method"],
            path=loggable_path(scope["path"]),
            status=status,
            duration_ms=round((time.perf_counter() - start) * 1000, 1),
            upstream=scope.get("state", {}).get("upstream"),
        )


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(Guard, settings=settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
        expose_headers=["ETag", "Retry-After", "X-Request-ID", "Location"],
        max_age=600,
    )
