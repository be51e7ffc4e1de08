"""Event streams through the gateway: relayed as they come (never read in full), with no read timeout, Last-Event-ID
passed on, and the service's connection closed when the client leaves. The gateway runs over real HTTP on loopback
(an in-process ASGI client would wait for the whole answer), in front of a stand-in service that streams."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiohttp import web
from httpx_sse import aconnect_sse

from accord.devtools.testing import TokenFactory, serving
from accord.gateway.bootstrap import create_api

pytestmark = pytest.mark.integration
ENOUGH = 20.0  # seconds: a bound on waiting, so a broken relay fails instead of hanging; not a timing


class StreamingService:
    """Streams one event at once, then one more each time `more` is set; records what it saw and when it is left."""

    def __init__(self) -> None:
        self.more = asyncio.Event()
        self.last_event_ids: list[str | None] = []
        self.left = asyncio.Event()

    async def stream(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Last-Event-ID") == "abc":
            body = {"title": "Invalid Last-Event-ID", "field": "Last-Event-ID"}
            return web.json_response(body, status=400, content_type="application/problem+json")
        self.last_event_ids.append(request.headers.get("Last-Event-ID"))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        try:
            for n in range(1, 4):
                await response.write(f"id: {n}\nevent: inbox\ndata: {{}}\n\n".encode())
                await self.more.wait()
                self.more.clear()
        finally:  # the gateway closed its connection (aiohttp cancels the handler), or the stream is done
            self.left.set()
        return response


@pytest.fixture
async def streaming(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """(the stand-in, a client of the gateway served on loopback); the gateway's upstream deadline is 0.3 s."""
    service = StreamingService()
    app = web.Application()
    app.router.add_get("/notifications/stream", service.stream)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True)
    await runner.setup()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        monkeypatch.setenv("ACCORD_GATEWAY_NOTIFICATIONS_URL", f"http://127.0.0.1:{runner.addresses[0][1]}")
        monkeypatch.setenv("ACCORD_GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "0.3")
        gateway = create_api()
        await stack.enter_async_context(gateway.router.lifespan_context(gateway))
        url = await stack.enter_async_context(serving(gateway))
        client = httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(ENOUGH, read=None))
        yield service, await stack.enter_async_context(client)


async def test_events_arrive_as_the_service_sends_them_with_last_event_id_passed_on_and_no_read_timeout(
    streaming: Any, tokens: TokenFactory
) -> None:
    service, client = streaming
    headers = {**tokens.bearer(uuid4(), ["client"]), "Last-Event-ID": "41"}
    async with (
        asyncio.timeout(ENOUGH),
        aconnect_sse(client, "GET", "/api/v1/notifications/stream", headers=headers) as source,
    ):
        assert source.response.headers["content-type"].startswith("text/event-stream")
        assert source.response.headers["cache-control"] == "no-cache"
        assert source.response.headers["x-accel-buffering"] == "no"
        events = source.aiter_sse()
        first = await anext(events)  # while the service's answer is still open: nothing was buffered
        assert (first.id, first.event) == ("1", "inbox")
        await asyncio.sleep(1)  # longer than the gateway's 0.3 s deadline, which covers only the stream's start
        service.more.set()
        second = await anext(events)
        assert second.id == "2"
    assert service.last_event_ids == ["41"]


async def test_the_services_connection_is_closed_when_the_client_leaves(streaming: Any, tokens: TokenFactory) -> None:
    service, client = streaming
    async with asyncio.timeout(ENOUGH):
        async with aconnect_sse(
            client, "GET", "/api/v1/notifications/stream", headers=tokens.bearer(uuid4(), ["client"])
        ) as source:
            await anext(source.aiter_sse())
        await service.left.wait()  # the service's handler ended without being sent more


async def test_a_refusal_from_the_service_comes_back_as_an_ordinary_answer(
    streaming: Any, tokens: TokenFactory
) -> None:
    _, client = streaming
    headers = {**tokens.bearer(uuid4(), ["client"]), "Accept": "text/event-stream", "Last-Event-ID": "abc"}
    r = await client.get("/api/v1/notifications/stream", headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "Last-Event-ID"
