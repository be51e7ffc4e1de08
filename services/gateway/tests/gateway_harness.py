"""A gateway in front of stand-in services: real HTTP servers on loopback ports that record what reached them."""

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import aiohttp
import httpx
import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from accord.gateway.bootstrap import create_api


@dataclass(frozen=True)
class Seen:
    """A request as it reached a stand-in."""

    method: str
    path: str
    query: bytes  # as it was on the wire
    headers: CIMultiDictProxy[str]
    raw_path: str = ""  # as it was on the wire


class StandIn:
    """A service that answers 200 with what it saw: optionally slow, refusing connections, or breaking off its answer
    halfway."""

    def __init__(self, name: str, *, delay: float = 0, refuse: bool = False, broken: bool = False) -> None:
        self.name, self.delay, self.refuse, self.broken = name, delay, refuse, broken
        self.seen: list[Seen] = []

    async def answer(self, request: web.Request) -> web.StreamResponse:
        query = request.raw_path.partition("?")[2].encode()
        raw_path = request.raw_path.partition("?")[0]
        self.seen.append(Seen(request.method, request.path, query, request.headers, raw_path))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken:
            response = web.StreamResponse(headers={"Content-Length": "100"})
            await response.prepare(request)
            await response.write(b'{"ser')
            assert request.transport is not None
            request.transport.close()
            return response
        if request.path == "/notifications/inbox/unread-count":
            return web.json_response({"unread": 3})
        if request.path == "/openapi.json":
            return web.json_response(
                {
                    "openapi": "3.1.0",
                    "info": {"title": self.name, "version": "1"},
                    "paths": {f"/{self.name}/things": {"get": {"responses": {}}}},
                }
            )
        return web.json_response({"service": self.name, "path": request.path}, headers={"ETag": '"7"'})

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        """Runs this stand-in on a port of its own; yields its base URL."""
        if self.refuse:
            async with self._refusing() as url:
                yield url
            return
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.answer)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            yield f"http://127.0.0.1:{runner.addresses[0][1]}"
        finally:
            await runner.cleanup()

    @asynccontextmanager
    async def _refusing(self) -> AsyncIterator[str]:
        # A port bound but never listened on: the kernel refuses every connection to it. Nothing can reach a refusing
        # service, so what the gateway tried to send it is recorded on the gateway's side, at its HTTP client.
        with socket.socket() as closed, pytest.MonkeyPatch.context() as patch:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            request = aiohttp.ClientSession.request

            def recording(session: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
                target = URL(url)
                if target.port == port:
                    headers = CIMultiDictProxy(CIMultiDict(kwargs.get("headers") or {}))
                    self.seen.append(Seen(method, target.path, target.raw_query_string.encode(), headers))
                return request(session, method, url, **kwargs)

            patch.setattr(aiohttp.ClientSession, "request", recording)
            yield f"http://127.0.0.1:{port}"


class GatewayClient(httpx.AsyncClient):
    """A client of the gateway app, which it keeps at hand for requests httpx would not send as they are."""

    app: Any


async def raw_get(gw: GatewayClient, raw_path: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
    """GET `raw_path` exactly (httpx resolves a literal ..), decoded for `path` as uvicorn decodes it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway"), *((k.lower().encode(), v.encode()) for k, v in headers.items())],
        "client": ("203.0.113.9", 5555),
        "server": ("gateway", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await gw.app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@asynccontextmanager
async def gateway(services: Mapping[str, StandIn]) -> AsyncIterator[GatewayClient]:
    """The gateway app, its upstreams the stand-ins (served while it runs), and a client calling it from 203.0.113.9."""
    async with AsyncExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:
            for name, service in services.items():
                env.setenv(f"ACCORD_GATEWAY_{name.upper()}_URL", await stack.enter_async_context(service.serving()))
            app = create_api()  # its settings, the stand-ins' URLs among them, are read here
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5555))
        client = await stack.enter_async_context(GatewayClient(transport=transport, base_url="http://gateway"))
        client.app = app
        yield client
