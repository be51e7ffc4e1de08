"""Wiring: the one place where the progress service's parts are put together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from accord.progress.entrypoints import sessions_api
from accord.progress.entrypoints.api import router
from accord.progress.entrypoints.hot_read import HotProgressRead
from accord.progress.entrypoints.hot_write import HotEntryWrite
from accord.progress.entrypoints.queries import goal_lookups
from accord.progress.handlers import CONSUMED_TOPICS, event_handlers
from accord.progress.handlers.feedback_checks import feedback_check_sweep
from accord.progress.handlers.reviews import review_sweep
from accord.progress.settings import Settings
from accord.shared.api import build_api
from accord.shared.exports import export_part_router
from accord.shared.retention import idempotency_key_sweep
from accord.shared.runtime import BackgroundTask, Resources, Subscription, episode_keys_subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


@asynccontextmanager
async def grouped_lookups(app: FastAPI, res: Resources[Any]) -> AsyncIterator[None]:
    app.state.goal_lookups = goal_lookups(res.pool)  # the progress reads' (entrypoints/queries.py)
    yield


def create_api() -> FastAPI:
    config = settings()
    routers = [export_part_router("progress", config.db_schema), router, sessions_api.router]
    app = build_api(config, routers=routers, extra_lifespan=grouped_lookups)
    # Outermost of the service's own layers: the entry write and, outside it, the goal's progress read (most of the
    # service's requests) go no further. Every other request goes on as it came; an entry the hot write declines
    # (FastAPI words its 422) goes on with its body, already read, replayed.
    app.add_middleware(HotEntryWrite, service=config.service)
    app.add_middleware(HotProgressRead, service=config.service)
    return app


def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMED_TOPICS, event_handlers, "the goals service's events build the local goal view"),
        episode_keys_subscription("progress"),
    ]


def background() -> list[BackgroundTask]:
    every = settings().review_sweep_seconds
    return [review_sweep(every), feedback_check_sweep(every), idempotency_key_sweep(export_parts=True)]
