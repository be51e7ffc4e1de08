"""Wiring: the one place where the gateway's parts are put together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accord.gateway.adapters.event_streams import EventStreams
from accord.gateway.adapters.limiter import InProcessLimiter, Limiter, RedisLimiter
from accord.gateway.adapters.upstreams import Upstreams
from accord.gateway.entrypoints import dev_idp, middleware, openapi, overview, proxy
from accord.gateway.settings import Settings
from accord.shared.api import build_api
from accord.shared.runtime import Resources, Subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    s = settings()

    @asynccontextmanager
    async def upstreams(app: FastAPI, res: Resources) -> AsyncIterator[None]:
        app.state.upstreams = Upstreams(s)  # here: its sessions belong to the running event loop
        app.state.event_streams = EventStreams(app.state.upstreams.bases, s)
        try:
            yield
        finally:
            await app.state.event_streams.close()
            await app.state.upstreams.close()
            await app.state.limiter.close()

    routers = [overview.router, openapi.router]
    if s.dev_identity_provider:
        routers.insert(0, dev_idp.router(dev_idp.provider()))
    app = build_api(s, routers, extra_lifespan=upstreams, openapi_url=None, docs_url=None, redoc_url=None)
    own = frozenset(path for r in routers for path in (getattr(route, "path", "") for route in r.routes))
    app.router.routes.insert(0, proxy.ProxyMount(own))
    app.state.settings = s
    limiter: Limiter = RedisLimiter(s.redis_url) if s.redis_url else InProcessLimiter()
    app.state.limiter = limiter
    middleware.install(app, s)
    return app


def subscriptions() -> list[Subscription]:
    return []  # the gateway consumes no events
