"""Builds a service's API on the shared skeleton, with its resources (database pool, outbox) opened by the
lifespan. No Kafka connection: the API's writes go to the outbox, which the worker relays.
The gateway, which has neither, uses `web.build_web_app` directly."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response

from accord.shared.problems import problem_response
from accord.shared.runtime import Resources, open_resources
from accord.shared.settings import ServiceSettings
from accord.shared.web import build_web_app

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5

ExtraLifespan = Callable[[FastAPI, Resources[Any]], AbstractAsyncContextManager[None]]


def build_api(
    settings: ServiceSettings,
    routers: Sequence[APIRouter] = (),
    *,
    extra_lifespan: ExtraLifespan | None = None,
    **fastapi_args: Any,
) -> FastAPI:
    resources: dict[str, Resources[Any]] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings) as res:
            app.state.resources = resources["current"] = res
            if extra_lifespan is None:
                yield
                return
            async with extra_lifespan(app, res):
                yield

    async def database() -> None:
        await resources["current"].check_database()

    # Only what the API needs to answer: its writes go to the outbox in the database, so Kafka being away stops
    # no request (the worker's readiness covers Kafka).
    app = build_web_app(settings, routers, lifespan=lifespan, readiness={"database": database}, **fastapi_args)
    for away in DATABASE_AWAY:
        app.add_exception_handler(away, _database_away)
    return app


DATABASE_AWAY: tuple[type[Exception], ...] = (
    OSError,  # refused: the pool's next connection cannot be made
    asyncpg.PostgresConnectionError,  # class 08: the connection broke mid-request
    asyncpg.AdminShutdownError,  # the server is shutting down (pg_ctl stop)
    asyncpg.CrashShutdownError,  # another backend crashed and the server is resetting
    asyncpg.CannotConnectNowError,  # starting up or shutting down
)
"""The database is away for now: the request may be sent again later. The pool replaces the broken connections on
its own (a closed one is reconnected when next acquired), so the API recovers without a restart."""


async def _database_away(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable", error=type(exc).__name__, path=request.url.path)
    return problem_response(
        503,
        "Service unavailable",
        "The service cannot reach its database just now; try again shortly",
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def get_resources(request: Request) -> Resources[Any]:
    # async: a plain function would make FastAPI hop to its thread pool on every request
    resources: Resources[Any] = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources[Any], Depends(get_resources)]
