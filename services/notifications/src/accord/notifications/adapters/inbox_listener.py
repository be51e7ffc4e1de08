"""One LISTEN connection per API process, fanned out in memory to the open inbox streams.

A stream does not take a database connection while it waits: it registers a wake-up (an `asyncio.Event`) under its
recipient, and the one listening connection sets the events of the recipient named in each NOTIFY. The stream then
reads what is new through its own query, so a burst of notifications costs one read, and the payload (identifiers
only) is never trusted for content.

If the listening connection is lost, every stream is woken (each re-reads after its cursor, so nothing committed
meanwhile is missed) and the connection is made again with a growing pause.
"""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from uuid import UUID

import asyncpg
import structlog

from accord.shared.db import Connection

log = structlog.get_logger(__name__)


class InboxListener:
    def __init__(self, database_url: str, schema: str, *, max_backoff: float = 5.0) -> None:
        self.database_url, self.channel, self.max_backoff = database_url, f"{schema}_inbox", max_backoff
        self._waiting: defaultdict[UUID, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    @contextmanager
    def subscribe(self, recipient_id: UUID) -> Iterator[asyncio.Event]:
        """An event set whenever something changes in this recipient's inbox (or the listener reconnected)."""
        wake = asyncio.Event()
        self._waiting[recipient_id].add(wake)
        try:
            yield wake
        finally:
            waiting = self._waiting[recipient_id]
            waiting.discard(wake)
            if not waiting:
                del self._waiting[recipient_id]

    @property
    def open_streams(self) -> int:
        return sum(len(events) for events in self._waiting.values())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["InboxListener"]:
        self._task = asyncio.create_task(self._run())
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            if await self._listen_until_lost():
                backoff = 0.1
            self._wake_all()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _listen_until_lost(self) -> bool:
        """LISTENs until the connection is lost; False if it could not even be made."""
        lost = asyncio.Event()
        try:
            conn = await asyncpg.connect(self.database_url, server_settings={"application_name": "accord-inbox"})
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("inbox listener cannot connect; will retry", error=type(exc).__name__)
            return False
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(self.channel, self._on_notify)
            # A stream that subscribed before LISTEN was in place reads what committed meanwhile now.
            self._wake_all()
            await lost.wait()
            log.warning("inbox listener lost its connection; reconnecting")
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("inbox listener failed; reconnecting", error=type(exc).__name__)
        finally:
            with contextlib.suppress(Exception):
                await conn.close(timeout=1)
        return True

    def _on_notify(self, _conn: Connection, _pid: int, _channel: str, payload: object) -> None:
        recipient, _, _item = str(payload).partition(" ")
        try:
            waiting = self._waiting.get(UUID(recipient), ())
        except ValueError:
            return
        for wake in waiting:
            wake.set()

    def _wake_all(self) -> None:
        for events in self._waiting.values():
            for wake in events:
                wake.set()
