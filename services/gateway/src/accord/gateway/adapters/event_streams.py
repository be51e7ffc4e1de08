"""Server-Sent Event streams (`GET` with `Accept: text/event-stream`), passed through chunk by chunk as they come.

Every other answer is read in full (`upstreams.Upstreams`); a stream never ends by itself, so it is relayed instead:
aiohttp's reads become ASGI `more_body` chunks, with nothing buffered. The deadline covers connecting (or waiting
for a pooled connection) and the answer's headers; after that there is no read timeout - the service's heartbeats
keep the connection alive, and the service ends the stream (at the token's expiry, for one). The client leaving,
or the gateway shutting down, closes the upstream connection at once (sse-starlette's `EventSourceResponse` watches
both). Streams have their own connections (`stream_connections` per service), so that open streams never take the
pooled connections ordinary requests need. `Last-Event-ID` goes on, so a client reconnecting through any gateway
(or a restarted one) resumes where it was.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping

import aiohttp
import structlog
from fastapi import Request, Response
from sse_starlette import EventSourceResponse
from yarl import URL

from accord.gateway.adapters.upstreams import FORWARDED_REQUEST_HEADERS, RETURNED_RESPONSE_HEADERS, TRACE_HEADERS
from accord.gateway.settings import Settings
from accord.shared.problems import problem_response

log = structlog.get_logger(__name__)

EVENT_STREAM = "text/event-stream"
PASSED_HEADERS = frozenset((*FORWARDED_REQUEST_HEADERS, *TRACE_HEADERS, "last-event-id"))
STUCK_CLIENT_SECONDS = 30.0  # a client that takes nothing (not even a heartbeat) for this long is let go
FAILURES = {502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}


def wanted(request: Request) -> bool:
    """A GET asking for an event stream (as EventSource does)."""
    return request.method == "GET" and EVENT_STREAM in request.headers.get("accept", "")


class EventStreams:
    """One session for the streams to every service. Create it inside the running event loop."""

    def __init__(self, bases: Mapping[str, URL], settings: Settings) -> None:
        self.bases, self.deadline = bases, settings.upstream_timeout_seconds
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit_per_host=settings.stream_connections, limit=0),
            timeout=aiohttp.ClientTimeout(),  # no read timeout: the deadline in forward() covers the start only
            headers={"Accept-Encoding": "identity"},
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def close(self) -> None:
        await self.session.close()

    async def forward(self, request: Request, service: str, path: str) -> Response:
        request.state.upstream = service
        base, query = self.bases[service], request.scope["query_string"].decode()
        target = str(base.with_path(base.path.rstrip("/") + path))
        url = URL(f"{target}?{query}" if query else target, encoded=True)
        headers = {k: v for k, v in request.headers.items() if k.lower() in PASSED_HEADERS}
        try:
            async with asyncio.timeout(self.deadline):
                upstream = await self.session.get(url, headers=headers, allow_redirects=False)
        except TimeoutError:
            return _failed(service, 504, "the service did not answer in time")
        except aiohttp.ClientConnectorError:
            return _failed(service, 503, "the service is unavailable")
        except aiohttp.ClientError:
            return _failed(service, 502, "the service's answer could not be read")
        if upstream.status != 200 or not upstream.headers.get("content-type", "").startswith(EVENT_STREAM):
            return await _in_full(service, upstream, self.deadline)  # a refusal (401, 400...): an ordinary answer
        return EventSourceResponse(
            _relay(upstream),
            ping=0,  # the service's own heartbeats come through
            send_timeout=STUCK_CLIENT_SECONDS,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


async def _relay(upstream: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.content.iter_any():
            yield chunk
    except aiohttp.ClientError as exc:
        # The service went away mid-stream: end the stream cleanly; the client reconnects with Last-Event-ID.
        log.info("event stream from the service broke off", error=type(exc).__name__)
    finally:
        upstream.close()  # never back to the pool: a stream cut short leaves the connection mid-answer


async def _in_full(service: str, upstream: aiohttp.ClientResponse, deadline: float) -> Response:
    try:
        async with asyncio.timeout(deadline):
            body = await upstream.read()
    except TimeoutError:
        return _failed(service, 504, "the service did not answer in time")
    except aiohttp.ClientError:
        return _failed(service, 502, "the service's answer could not be read")
    finally:
        upstream.release()
    headers = {
        name: ", ".join(values) for name in RETURNED_RESPONSE_HEADERS if (values := upstream.headers.getall(name, []))
    }
    return Response(body, status_code=upstream.status, headers=headers)


def _failed(service: str, status: int, reason: str) -> Response:
    return problem_response(status, FAILURES[status], f"{service}: {reason}", service=service)
