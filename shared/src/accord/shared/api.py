"""Builds a service's FastAPI app on the shared skeleton, with its resources opened by the lifespan."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from accord.shared.auth import verifier_from_settings
from accord.shared.runtime import Resources, open_resources
from accord.shared.settings import ServiceSettings
from accord.shared.web import create_app

ExtraLifespan = Callable[[FastAPI, Resources], AbstractAsyncContextManager[None]]


def build_api(
    settings: ServiceSettings,
    routers: Sequence[APIRouter] = (),
    *,
    extra_lifespan: ExtraLifespan | None = None,
    **fastapi_args: Any,
) -> FastAPI:
    resources: dict[str, Resources] = {}

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

    async def kafka() -> None:
        await resources["current"].check_kafka()

    app = create_app(
        settings.service, readiness={"database": database, "kafka": kafka}, lifespan=lifespan, **fastapi_args
    )
    app.state.token_verifier = verifier_from_settings(
        settings.oidc_issuer, settings.oidc_audience, settings.oidc_jwks_url, settings.oidc_jwks
    )
    for router in routers:
        app.include_router(router)
    return app


async def get_resources(request: Request) -> Resources:
    # async: a plain function would make FastAPI hop to its thread pool on every request
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]
