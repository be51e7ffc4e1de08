"""Wiring: the one place where the goals service's parts are put together."""

from fastapi import FastAPI

from accord.goals.entrypoints.api import router
from accord.goals.settings import Settings
from accord.shared.api import build_api
from accord.shared.runtime import Subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    return build_api(settings(), routers=[router])


def subscriptions() -> list[Subscription]:
    return []  # the goals service reacts to no other service's events
