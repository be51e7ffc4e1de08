"""Pooled HTTP connections to each service, and forwarding a request to one of them."""

import asyncio
from collections.abc import Mapping

import httpx
from opentelemetry import propagate, trace

from accord.gateway.domain.routes import RETRYABLE_METHODS
from accord.gateway.settings import Settings

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
tracer = trace.get_tracer("accord.gateway")
RETURNED_RESPONSE_HEADERS = ("content-type", "etag", "retry-after", "location", "www-authenticate", "cache-control")


class UpstreamFailed(Exception):
    def __init__(self, service: str, status: int, reason: str) -> None:
        super().__init__(reason)
        self.service, self.status, self.reason = service, status, reason


class Upstreams:
    def __init__(self, settings: Settings, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> None:
        bases = {
            "goals": settings.goals_url,
            "progress": settings.progress_url,
            "notifications": settings.notifications_url,
            "reporting": settings.reporting_url,
        }
        limits = httpx.Limits(
            max_connections=settings.upstream_connections, max_keepalive_connections=settings.upstream_connections
        )
        self.timeouts = {s: settings.upstream_timeout_seconds for s in bases} | {
            "reporting": settings.reporting_timeout_seconds
        }
        transports = transports or {}
        self.clients = {
            service: httpx.AsyncClient(
                base_url=url, limits=limits, transport=transports.get(service), timeout=self.timeouts[service]
            )
            for service, url in bases.items()
        }

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def send(
        self, service: str, method: str, path: str, *, headers: Mapping[str, str], query: bytes = b"", body: bytes = b""
    ) -> httpx.Response:
        forwarded = {k: v for k, v in headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS}
        client = self.clients[service]
        attempts = 2 if method in RETRYABLE_METHODS else 1
        # The caller's trace continues through the gateway's span into the service.
        caller = propagate.extract(headers)
        with tracer.start_as_current_span(f"{method} {service}", context=caller, kind=trace.SpanKind.CLIENT) as span:
            # Without a tracing SDK the span records nothing; the caller's own context is passed on then.
            propagate.inject(forwarded, context=None if span.get_span_context().is_valid else caller)
            for attempt in range(1, attempts + 1):
                try:
                    # One deadline for the whole exchange, whatever the transport; httpx's own are per phase.
                    async with asyncio.timeout(self.timeouts[service]):
                        return await client.request(
                            method, path, params=query.decode() or None, headers=forwarded, content=body or None
                        )
                except (TimeoutError, httpx.TimeoutException) as exc:
                    raise UpstreamFailed(service, 504, "the service did not answer in time") from exc
                except httpx.ConnectError as exc:
                    if attempt == attempts:
                        raise UpstreamFailed(service, 503, "the service is unavailable") from exc
                except httpx.TransportError as exc:
                    raise UpstreamFailed(service, 502, "the service's answer could not be read") from exc
        raise AssertionError("unreachable")
