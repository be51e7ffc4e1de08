"""What every request through the front door passes besides the shared Edge (size limits, canonical paths, security
headers, request ids): a per-address rate limit, CORS, and an access log that holds no token, no query string and no
body."""

import re
import time
from functools import lru_cache
from ipaddress import ip_address
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.gateway.domain.addresses import Network, client_address
from accord.gateway.settings import Settings
from accord.shared.problems import problem_response
from accord.shared.web import StatusSend

log = structlog.get_logger("accord.gateway.access")
_IDENTIFIER = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d{3,}")

# The orchestrator's probes are not limited: a readiness probe must be able to say that the limit store is down.
PROBES = frozenset({"/health", "/ready"})


def loggable_path(path: str) -> str:
    """The path with identifiers masked, so access logs cannot be joined to a person."""
    return _IDENTIFIER.sub("{id}", path)


class Guard:
    """Plain ASGI (no BaseHTTPMiddleware task per request): the per-address rate limit before anything else, and one
    access-log line."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.trusted = tuple(settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        sent = StatusSend(send)
        if scope["path"] in PROBES:
            await self.app(scope, receive, sent)
            return
        refusal = await self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, sent)
        else:
            await self.app(scope, receive, sent)
        access_logged(scope, sent.status, start)

    async def refusal(self, scope: Scope) -> Response | None:
        """The 429 answer when the caller's address is over its limit; None when it may go on."""
        s = self.settings
        verdict = await scope["app"].state.limiter.take(
            f"address:{self.client(scope)}", s.address_rate_per_second, s.address_burst
        )
        if verdict.allowed:
            return None
        return problem_response(
            429, "Too many requests", "Slow down and retry later", headers={"Retry-After": str(verdict.retry_after)}
        )

    def client(self, scope: Scope) -> str:
        """The caller's address: the peer's, or, when the peer is one of our proxies, the one X-Forwarded-For gives."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        # X-Forwarded-For counts for nothing without a proxy of ours, so it is not even read then.
        forwarded_for = Headers(scope=scope).get("x-forwarded-for") if self.trusted else None
        return _caller(str(peer), forwarded_for, self.trusted)


def access_logged(scope: Scope, status: int, start: float) -> None:
    """The one access-log line of a request: no token, no query string, no body, identifiers masked."""
    log.info(
        "request",
        method=scope["method"],
        path=loggable_path(scope["path"]),
        status=status,
        duration_ms=round((time.perf_counter() - start) * 1000, 1),
        upstream=scope.get("state", {}).get("upstream"),
    )


@lru_cache(maxsize=512)
def _caller(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """Remembered: parsing the same peer's address on each of its requests was a noticeable share of the guard's
    time. Keyed by everything the answer depends on, the trusted proxies included; at most 512 entries, and each
    X-Forwarded-For within the Edge's header limit, so a client varying it can only evict, never grow, the memory."""
    try:
        address = ip_address(peer)
    except ValueError:
        return peer
    return str(client_address(address, forwarded_for, trusted))


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json like every other error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        allowed = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}
        return problem_response(
            response.status_code, "CORS preflight refused", bytes(response.body).decode(), headers=allowed
        )


def cors_options(settings: Settings) -> dict[str, Any]:
    return {
        "allow_origins": settings.cors_origins,
        "allow_credentials": False,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
        "expose_headers": ["ETag", "Retry-After", "X-Request-ID", "Location"],
        "max_age": 600,
    }


def install(app: FastAPI, settings: Settings) -> None:
    # The Edge (around everything, from the shared skeleton) -> CORS (a preflight gets its answer there) -> Guard.
    app.add_middleware(Guard, settings=settings)
    app.add_middleware(ProblemCORSMiddleware, **cors_options(settings))
