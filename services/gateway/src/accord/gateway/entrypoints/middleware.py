"""What every request through the front door passes: size limit, per-address rate limit, security headers and an
access log that holds no token, no query string and no body."""

import re
import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

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

Next = Callable[[Request], Awaitable[Response]]


def loggable_path(path: str) -> str:
    """The path with identifiers masked, so access logs cannot be joined to a person."""
    return _IDENTIFIER.sub("{id}", path)


def install(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next: Next) -> Response:
        start = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > settings.max_body_bytes):
            response: Response = problem_response(
                413, "Request too large", f"Send at most {settings.max_body_bytes} bytes"
            )
        else:
            address = request.client.host if request.client else "unknown"
            verdict = await request.app.state.limiter.take(
                f"address:{address}", settings.address_rate_per_second, settings.address_burst
            )
            if verdict.allowed:
                response = await call_next(request)
            else:
                response = problem_response(
                    429,
                    "Too many requests",
                    "Slow down and retry later",
                    headers={"Retry-After": str(verdict.retry_after)},
                )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        log.info(
            "request",
            method=request.method,
            path=loggable_path(request.url.path),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - start) * 1000, 1),
            upstream=getattr(request.state, "upstream", None),
        )
        return response

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
        expose_headers=["ETag", "Retry-After", "X-Request-ID", "Location"],
        max_age=600,
    )
