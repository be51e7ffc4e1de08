"""Wiring: the one place where the gateway's parts are put together. The gateway is only a front door: no database,
no Kafka; its state is the rate-limit store and the browsers' sessions (in this process, or Redis)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accord.gateway.adapters.event_streams import EventStreams
from accord.gateway.adapters.limiter import InProcessLimiter, Limiter, RedisLimiter
from accord.gateway.adapters.upstreams import Upstreams
from accord.gateway.entrypoints import auth, docs, export_archive, middleware, openapi, overview, proxy, web
from accord.gateway.entrypoints.hot_path import HotProxy
from accord.gateway.settings import Settings
from accord.shared.logging import configure_logging
from accord.shared.web import ReadinessCheck, build_web_app


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    s = settings()
    limiter: Limiter = RedisLimiter(s.redis_url) if s.redis_url else InProcessLimiter()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(s.service, s.log_level, s.log_json)
        app.state.upstreams = Upstreams(s)  # here: its sessions belong to the running event loop
        app.state.event_streams = EventStreams(app.state.upstreams.bases, s)
        try:
            yield
        finally:
            await app.state.event_streams.close()
            await app.state.upstreams.close()
            await limiter.close()
            if app.state.sessions is not None:
                await app.state.sessions.store.close()

    async def upstreams() -> None:
        if getattr(app.state, "upstreams", None) is None:
            raise LookupError("the upstream services are not configured yet")

    readiness: dict[str, ReadinessCheck] = {"upstreams": upstreams}
    if s.redis_url:
        readiness["redis"] = limiter.check

    routers = [overview.router, export_archive.router, openapi.router, docs.router, auth.router]
    app = build_web_app(
        s, routers, lifespan=lifespan, readiness=readiness, openapi_url=None, docs_url=None, redoc_url=None
    )
    own = frozenset(path for r in routers for path in (getattr(route, "path", "") for route in r.routes))
    app.router.routes.insert(0, proxy.ProxyMount(own))
    app.state.settings = s
    app.state.limiter = limiter
    web.install(app, s)  # browser sign-in, the web app, the API reference; before the guard, which wraps them
    middleware.install(app, s)
    # Outermost of the gateway's own layers: a bearer request for a service's path goes no further than this one.
    app.add_middleware(HotProxy, settings=s, own_paths=own)
    return app
