"""Builds a service's API on the shared skeleton, with its resources (database pool, outbox) opened beside the
lifespan. No Kafka connection: the API's writes go to the outbox, which the worker relays.
The gateway, which has neither, uses `web.build_web_app` directly.

The API listens at once, even while its database is unreachable: `/health` answers 200 and `/ready` (and every
route) 503 while it waits for the database with backoff, so an orchestrator sees a live process that is not ready
rather than a silent one. An error a retry cannot mend (a refused password, a missing database, a schema newer
than the code) ends the process with a clear message and a non-zero status (`web_cli`)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response

from accord.shared.problems import problem_response
from accord.shared.runtime import Resources, open_resources
from accord.shared.settings import ServiceSettings
from accord.shared.waiting import CannotStart
from accord.shared.web import build_web_app
from accord.shared.web_cli import cannot_start

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
    waiting_for: dict[str, str] = {}

    async def hold_resources(app: FastAPI, settled: asyncio.Event, stop: asyncio.Event) -> None:
        """Opens the resources (waiting while the database is away), then holds them open until `stop`."""

        def waiting(dependency: str, why: str) -> None:
            waiting_for[dependency] = why
            settled.set()

        async with open_resources(settings, waiting=waiting) as res, contextlib.AsyncExitStack() as extra:
            if extra_lifespan is not None:
                await extra.enter_async_context(extra_lifespan(app, res))
            app.state.resources = resources["current"] = res
            waiting_for.clear()
            settled.set()
            log.info("api ready to serve", service=settings.service)
            await stop.wait()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settled, stop = asyncio.Event(), asyncio.Event()
        holding = asyncio.create_task(hold_resources(app, settled, stop))
        # Serves once the first attempt has told: connected (as before: ready on the first request), waiting for
        # the database (not ready, but listening), or failed for good (raised here: the server does not start).
        told = asyncio.create_task(settled.wait())
        await asyncio.wait([holding, told], return_when=asyncio.FIRST_COMPLETED)
        told.cancel()
        if holding.done():
            _end_if_failed(holding)  # where `api` serves, the process ends here with the reason
            await holding
        holding.add_done_callback(_end_if_failed)
        try:
            yield
        finally:
            holding.remove_done_callback(_end_if_failed)  # stopping is no failure to start
            stop.set()
            if "current" not in resources:
                holding.cancel()  # still waiting for the database: nothing to close cleanly
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await holding
            resources.pop("current", None)
            waiting_for.clear()

    async def database() -> None:
        if "current" not in resources:
            raise DatabaseNotYetReached(", ".join(f"{k}: {v}" for k, v in waiting_for.items()) or "connecting")
        await resources["current"].check_database()

    # Only what the API needs to answer: its writes go to the outbox in the database, so Kafka being away stops
    # no request (the worker's readiness covers Kafka).
    app = build_web_app(settings, routers, lifespan=lifespan, readiness={"database": database}, **fastapi_args)
    for away in DATABASE_AWAY:
        app.add_exception_handler(away, database_away)
    return app


class DatabaseNotYetReached(Exception):
    """The API started but has not reached its database yet (it waits for it with backoff)."""


def _end_if_failed(holding: "asyncio.Task[None]") -> None:
    """Resources that could not be opened for a reason no retry mends end the process (waiting logged the error)."""
    if holding.cancelled() or holding.exception() is None:
        return
    error = holding.exception()
    cannot_start(str(error) if isinstance(error, CannotStart) else f"{type(error).__name__}: {error}")


DATABASE_AWAY: tuple[type[Exception], ...] = (
    DatabaseNotYetReached,  # started while the database was unreachable, still waiting for it
    OSError,  # refused: the pool's next connection cannot be made
    asyncpg.PostgresConnectionError,  # class 08: the connection broke mid-request
    asyncpg.AdminShutdownError,  # the server is shutting down (pg_ctl stop)
    asyncpg.CrashShutdownError,  # another backend crashed and the server is resetting
    asyncpg.CannotConnectNowError,  # starting up or shutting down
)
"""The database is away for now: the request may be sent again later. The pool replaces the broken connections on
its own (a closed one is reconnected when next acquired), so the API recovers without a restart."""


async def database_away(request: Request, exc: Exception) -> Response:
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
    resources: Resources[Any] | None = getattr(request.app.state, "resources", None)
    if resources is None:
        raise DatabaseNotYetReached()
    return resources


ResourcesDep = Annotated[Resources[Any], Depends(get_resources)]
