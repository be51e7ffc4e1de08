"""A gateway in front of stand-in services that record what reached them."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from accord.gateway.bootstrap import create_api


class StandIn:
    """A service that answers 200 with what it saw, optionally slow or refusing connections."""

    def __init__(self, name: str, *, delay: float = 0, refuse: bool = False) -> None:
        self.name, self.delay, self.refuse = name, delay, refuse
        self.seen: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.refuse:
            raise httpx.ConnectError("connection refused", request=request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.url.path == "/notifications/inbox/unread-count":
            return httpx.Response(200, json={"unread": 3})
        if request.url.path == "/openapi.json":
            return httpx.Response(
                200,
                json={
                    "openapi": "3.1.0",
                    "info": {"title": self.name, "version": "1"},
                    "paths": {f"/{self.name}/things": {"get": {"responses": {}}}},
                },
            )
        return httpx.Response(200, json={"service": self.name, "path": request.url.path}, headers={"ETag": '"7"'})


@asynccontextmanager
async def gateway(transports: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    mocked = {
        k: v if isinstance(v, httpx.AsyncBaseTransport) else httpx.MockTransport(v) for k, v in transports.items()
    }
    app = create_api(mocked)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
