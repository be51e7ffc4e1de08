"""Wiring: the one place where the reporting service's parts are put together."""

from fastapi import FastAPI

from accord.reporting.adapters.retention import NOTIFICATION_OUTCOMES
from accord.reporting.entrypoints.api import router
from accord.reporting.handlers import CONSUMED_TOPICS, event_handlers
from accord.reporting.handlers.analytics import ANALYTICS_SUBSCRIPTION
from accord.reporting.settings import Settings
from accord.shared.api import build_api
from accord.shared.exports import export_part_router
from accord.shared.retention import idempotency_key_sweep
from accord.shared.runtime import BackgroundTask, Subscription, episode_keys_subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    config = settings()
    return build_api(config, routers=[export_part_router("reporting", config.db_schema), router])


def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMED_TOPICS, event_handlers, description="projections of every domain topic"),
        ANALYTICS_SUBSCRIPTION,
        episode_keys_subscription("reporting"),
    ]


def background() -> list[BackgroundTask]:
    """The retention sweep (remembered idempotency keys, export parts, notification outcomes) runs beside the relay
    and the consumers in the worker."""
    return [idempotency_key_sweep(export_parts=True, own=[NOTIFICATION_OUTCOMES])]
