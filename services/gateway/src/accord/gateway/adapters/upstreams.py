"""Pooled HTTP connections to each service, and forwarding a request to one of them."""

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from opentelemetry import propagate, trace
from yarl import URL

from accord.gateway.domain.routes import RETRYABLE_METHODS
from accord.gateway.settings import Settings
from accord.shared.web import tracing

FORWARDED_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "accept-language",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "x-request-id",
)
TRACE_HEADERS = ("traceparent", "tracestate")
tracer = trace.get_tracer("accord.gateway")
# content-disposition: a download (an export part, the outcomes CSV) keeps its file name through the front door.
RETURNED_RESPONSE_HEADERS = (
    "content-type",
    "content-disposition",
    "etag",
    "retry-after",
    "location",
    "www-authenticate",
    "cache-control",
)
# The services' uvicorn closes a connection idle for 5 s; the gateway lets go of it sooner, so that it never sends a
# request on a connection the service is just closing.
KEEPALIVE_SECONDS = 4.0


class UpstreamFailed(Exception):
    def __init__(self, service: str, status: int, reason: str) -> None:
        super().__init__(reason)
        self.service, self.status, self.reason = service, status, reason


@dataclass(frozen=True)
class Answer:
    """A service's answer, read in full."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Upstreams:
    """One session (and pool of `upstream_connections`) per service. Create it inside the running event loop."""

    def __init__(self, settings: Settings) -> None:
        self.bases = {service: URL(url) for service, url in settings.upstream_urls().items()}
        self.timeouts = {s: settings.upstream_timeout_seconds for s in self.bases} | {
            "reporting": settings.reporting_timeout_seconds
        }
        self.sessions = {service: _session(settings.upstream_connections) for service in self.bases}

    async def close(self) -> None:
        for session in self.sessions.values():
            await session.close()

    async def send(
        self, service: str, method: str, path: str, *, headers: Mapping[str, str], query: bytes = b"", body: bytes = b""
    ) -> Answer:
        """`path` percent-encoded, and `query`, go on exactly as given: nothing re-normalises or re-quotes them."""
        url, traced = _target(self.bases[service], path, query), tracing()
        # Without a tracing SDK the gateway has no span of its own: the caller's trace context goes on as they sent it.
        passed = FORWARDED_REQUEST_HEADERS if traced else FORWARDED_REQUEST_HEADERS + TRACE_HEADERS
        forwarded = {k: v for k, v in headers.items() if k.lower() in passed}
        if not traced:
            return await self._exchange(service, method, url, forwarded, body)
        # The caller's trace continues through the gateway's span into the service.
        caller = propagate.extract(headers)
        with tracer.start_as_current_span(f"{method} {service}", context=caller, kind=trace.SpanKind.CLIENT):
            propagate.inject(forwarded)
            return await self._exchange(service, method, url, forwarded, body)

    async def _exchange(self, service: str, method: str, url: URL, headers: dict[str, str], body: bytes) -> Answer:
        session = self.sessions[service]
        attempts = 2 if method in RETRYABLE_METHODS else 1
        for attempt in range(1, attempts + 1):
            try:
                # One deadline for the whole exchange: connecting (or waiting for a pooled connection), sending,
                # and reading the answer to its end.
                async with (
                    asyncio.timeout(self.timeouts[service]),
                    session.request(method, url, headers=headers, data=body or None, allow_redirects=False) as response,
                ):
                    return Answer(response.status, response.headers, await response.read())
            except TimeoutError as exc:
                raise UpstreamFailed(service, 504, "the service did not answer in time") from exc
            except aiohttp.ClientConnectorError as exc:
                # Refused or unreachable: nothing was sent, so a read may safely go again.
                if attempt == attempts:
                    raise UpstreamFailed(service, 503, "the service is unavailable") from exc
            except aiohttp.ClientError as exc:
                # Broken once connected (closed before or while answering, an answer that is not HTTP, a body cut
                # short): the service may have acted on the request, so it is never sent again.
                raise UpstreamFailed(service, 502, "the service's answer could not be read") from exc
        raise AssertionError("unreachable")


def _session(connections: int) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_SECONDS),
        # The deadline is send()'s own; aiohttp's default timeouts would only add a timer per request.
        timeout=aiohttp.ClientTimeout(),
        # Answers go back to the caller without their Content-Encoding, so they must arrive unencoded: asked for
        # here, and decoded by aiohttp should a service encode one anyway.
        headers={"Accept-Encoding": "identity"},
        # A body without a Content-Type goes on without one (aiohttp would call it application/octet-stream).
        skip_auto_headers=("Content-Type",),
        # Cookies set by a service must never travel with another user's request.
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    # aiohttp resends an idempotent request (PUT and DELETE too) once when a pooled connection turns out closed;
    # whether anything is sent twice is decided in send() alone, where writes never are. (aiohttp's own test client
    # turns it off the same way.)
    session._retry_connection = False
    return session


def _target(base: URL, path: str, query: bytes) -> URL:
    # encoded=True: yarl would otherwise resolve dot segments and re-quote, sending a path other than the one routed.
    return URL.build(
        scheme=base.scheme,
        host=base.raw_host or "",
        port=base.explicit_port,
        path=base.raw_path.rstrip("/") + path,
        query_string=query.decode("latin-1"),
        encoded=True,
    )
