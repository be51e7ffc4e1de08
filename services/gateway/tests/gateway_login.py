"""Signing a browser in through the gateway: the development OIDC provider (dev/idp) served on a loopback port,
the gateway (with stand-in services) in front, and a browser that follows the redirects as a person would."""

import asyncio
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from gateway_harness import StandIn

from accord.devidp.app import create_app as create_idp
from accord.devidp.server import Provider
from accord.devidp.settings import Settings as IdpSettings
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.gateway.bootstrap import create_api

GATEWAY = "https://gateway.test"
SECRET = "a-client-secret-for-the-gateway-tests"
_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@asynccontextmanager
async def dev_login(tokens: DevIdentityProvider, keys: Path, **settings: Any) -> AsyncIterator[Provider]:
    """The provider on a loopback port, signing with the keys the gateway and services trust."""
    tokens.save(keys)
    port = free_port()
    app = create_idp(
        IdpSettings(
            issuer=f"http://127.0.0.1:{port}",
            access_token_issuer=tokens.issuer,
            keys_dir=keys,
            client_secret=SECRET,
            redirect_uris=[f"{GATEWAY}/auth/callback"],
            post_logout_redirect_uris=[f"{GATEWAY}/"],
            **settings,
        )
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        provider: Provider = app.state.provider
        yield provider
    finally:
        server.should_exit = True
        await task


@dataclass
class Browser:
    """The gateway's httpx client keeps cookies as a browser does on https (Secure ones included)."""

    gateway: httpx.AsyncClient
    app: FastAPI

    async def sign_in(self, user: str = "sam", return_to: str = "/") -> httpx.Response:
        """Login, the provider's page, the person's button, the callback: the callback's answer."""
        started = await self.gateway.get("/auth/login", params={"return_to": return_to})
        assert started.status_code == 302, started.text
        async with httpx.AsyncClient() as provider:
            page = await provider.get(started.headers["location"])
            assert page.status_code == 200, page.text
            fields = {name: unescape(value) for name, value in _FIELD.findall(page.text)}
            chosen = await provider.post(str(page.url.copy_with(query=None)), data={**fields, "user": user})
        assert chosen.status_code == 302, chosen.text
        back = urlsplit(chosen.headers["location"])
        assert f"{back.scheme}://{back.netloc}" == GATEWAY
        return await self.gateway.get(f"{back.path}?{back.query}")

    async def session(self) -> dict[str, Any]:
        answer = await self.gateway.get("/auth/session")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def csrf_headers(self) -> dict[str, str]:
        return {"Origin": GATEWAY, "X-CSRF-Token": (await self.session())["csrf_token"]}


class Clock:
    """The gateway's time, moved on by the test instead of waited for."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def browser_gateway(
    services: Mapping[str, StandIn], provider: Provider, env: Mapping[str, str] | None = None
) -> AsyncIterator[Browser]:
    """The gateway signing browsers in with `provider`, its services the stand-ins."""
    async with AsyncExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:
            for name, service in services.items():
                patch.setenv(f"ACCORD_GATEWAY_{name.upper()}_URL", await stack.enter_async_context(service.serving()))
            patch.setenv("ACCORD_GATEWAY_PUBLIC_BASE_URL", GATEWAY)
            patch.setenv("ACCORD_GATEWAY_LOGIN_ISSUER", provider.settings.issuer)
            patch.setenv("ACCORD_GATEWAY_LOGIN_CLIENT_SECRET", SECRET)
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            app = create_api()
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5555))
        client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=GATEWAY))
        yield Browser(client, app)


def stand_ins() -> dict[str, StandIn]:
    return {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}


def use_clock(app: FastAPI, clock: Clock) -> None:
    """The sessions and the in-process store read this clock from now on."""
    sessions = app.state.sessions
    sessions.clock = clock
    if hasattr(sessions.store, "clock"):
        sessions.store.clock = clock


@pytest.fixture(scope="module")
def redis_server() -> Iterator[str]:
    import os

    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed (scripts/bootstrap installs Debian's redis-server)", pytrace=False)
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
