"""LISTEN on a channel for as long as the caller needs: a commit's NOTIFY calls `on_notify` (it wakes a loop early;
the loop still polls, since a notification can be lost)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from accord.shared.db import Pool


@asynccontextmanager
async def listening(pool: Pool, channel: str, on_notify: Callable[..., Any]) -> AsyncIterator[None]:
    listener = await pool.acquire()
    await listener.add_listener(channel, on_notify)
    try:
        yield
    finally:
        with suppress(Exception):
            await listener.remove_listener(channel, on_notify)
        await pool.release(listener)
