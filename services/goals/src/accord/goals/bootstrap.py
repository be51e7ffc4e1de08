"""Wiring: the one place where the goals service's parts are put together."""

from fastapi import FastAPI

from accord.goals.entrypoints import episode_expiries, erasure, exports, restriction
from accord.goals.entrypoints.api import router
from accord.goals.entrypoints.clinical_retention import clinical_record_sweep
from accord.goals.entrypoints.episode_keys import episode_key_backfill
from accord.goals.handlers import CONSUMED_TOPICS, event_handlers
from accord.goals.settings import Settings
from accord.shared.api import build_api
from accord.shared.retention import idempotency_key_sweep
from accord.shared.runtime import BackgroundTask, Subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    config = settings()
    # The export, erasure and removal routes first: `/goals/exports` must not be taken for a goal's id.
    routers = [*exports.routers(config.db_schema), erasure.router, restriction.router, episode_expiries.router]
    return build_api(config, routers=[*routers, router])


def subscriptions() -> list[Subscription]:
    return [
        Subscription(
            CONSUMED_TOPICS,
            event_handlers,
            "counts the parts of subject access exports stored and the services that applied an erasure",
        )
    ]


def background() -> list[BackgroundTask]:
    """The retention sweeps (remembered idempotency keys, export parts; episodes past the clinical retention period)
    and the keys of episodes opened before events were sealed run beside the relay and the consumers in the worker."""
    return [idempotency_key_sweep(export_parts=True), clinical_record_sweep(), episode_key_backfill()]
