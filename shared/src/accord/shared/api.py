"""Builds a service's API on the shared skeleton, with its resources (database pool, outbox) opened by the
lifespan. No Kafka connection: the API's writes go to the outbox, which the worker relays.
The gateway, which has neither, uses `web.build_web_app` directly."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from accord.shared.runtime import Resources, open_resources
from accord.shared.settings import ServiceSettings
from accord.shared.web import build_web_app

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
    return build_web_app(settings, routers, lifespan=lifespan, readiness={"database": database}, **fastapi_args)


async def get_resources(request: Request) -> Resources[Any]:
    # async: a plain function would make FastAPI hop to its thread pool on every request
    resources: Resources[Any] = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources[Any], Depends(get_resources)]
