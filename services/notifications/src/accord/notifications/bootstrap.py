"""Wiring: the one place where the notifications service's parts are put together."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI

from accord.notifications.adapters.email import SmtpSender
from accord.notifications.adapters.inbox_listener import InboxListener
from accord.notifications.adapters.push import PushSender
from accord.notifications.domain.delivery import Sender
from accord.notifications.entrypoints.api import ROUTERS
from accord.notifications.handlers import CONSUMED_TOPICS, event_handlers
from accord.notifications.handlers.dispatcher import Dispatcher
from accord.notifications.handlers.retention import retention_sweep
from accord.notifications.settings import Settings
from accord.shared.api import build_api
from accord.shared.events.contracts.notifications import Channel
from accord.shared.exports import export_part_router
from accord.shared.runtime import BackgroundTask, Resources, Subscription, episode_keys_subscription


def settings() -> Settings:
    return Settings()  # filled from the environment


def create_api() -> FastAPI:
    s = settings()

    @asynccontextmanager
    async def live_inbox(app: FastAPI, res: Resources[Settings]) -> AsyncIterator[None]:
        """The one LISTEN connection the process's open inbox streams share."""
        async with InboxListener(s.database_url.get_secret_value(), s.db_schema).running() as listener:
            app.state.inbox_listener = listener
            yield

    parts = export_part_router("notifications", s.db_schema)
    return build_api(s, routers=[parts, *ROUTERS], extra_lifespan=live_inbox)


def subscriptions() -> list[Subscription]:
    return [Subscription(CONSUMED_TOPICS, event_handlers), episode_keys_subscription("notifications")]


@asynccontextmanager
async def open_senders(s: Settings) -> AsyncIterator[dict[Channel, Sender]]:
    """A sender per configured channel (the in-app inbox needs none)."""
    senders: dict[Channel, Sender] = {}
    if s.email_enabled:
        senders[Channel.EMAIL] = SmtpSender(s)
    async with aiohttp.ClientSession() as session:
        if s.vapid_private_key is not None:
            senders[Channel.PUSH] = PushSender(
                private_key=s.vapid_private_key.get_secret_value(),
                subject=s.vapid_subject,
                ttl=s.push_ttl_seconds,
                timeout=s.push_timeout_seconds,
                session=session,
            )
        yield senders


def background() -> list[BackgroundTask]:
    """The dispatcher and the retention sweep run beside the relay and the consumers in the worker."""
    s = settings()
    tasks: list[BackgroundTask] = [dispatch_notifications] if s.dispatch_enabled else []
    if s.retention_enabled:
        tasks.append(retention_sweep(s.retention_sweep_seconds))
    return tasks


async def dispatch_notifications(res: Resources[Settings], stop: asyncio.Event) -> None:
    async with open_senders(res.settings) as senders:
        await Dispatcher(res.settings, res.pool, senders).run(stop)
