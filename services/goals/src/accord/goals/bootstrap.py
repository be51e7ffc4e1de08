"""Wiring: the one place where the goals service's parts are put together."""

from fastapi import FastAPI

from accord.goals.entrypoints.api import router
from accord.goals.settings import Settings
from accord.shared.api import build_api
from accord.shared.retention import idempotency_key_sweep
from accord.shared.runtime import BackgroundTask, Subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    return build_api(settings(), routers=[router])


def subscriptions() -> list[Subscription]:
    return []  # the goals service reacts to no other service's events


def background() -> list[BackgroundTask]:
    """The retention sweep of remembered idempotency keys runs beside the relay and the consumers in the worker."""
    return [idempotency_key_sweep()]
