"""The dispatcher loop of the worker: plans due check-in reminders and sends due deliveries.

Woken by LISTEN/NOTIFY when deliveries are committed, and polling as a fallback (lost notifications, retries and
deferrals coming due). Safe to run in several workers: every row is claimed with SKIP LOCKED.
"""

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog

from accord.notifications.adapters.repository import UnitOfWork
from accord.notifications.adapters.wake_ups import listening
from accord.notifications.domain.delivery import Sender
from accord.notifications.handlers.check_ins import remind_due_check_ins
from accord.notifications.handlers.deliver import Deliverer
from accord.notifications.handlers.planning import Planner
from accord.notifications.settings import Settings
from accord.shared.db import Pool
from accord.shared.events.contracts.notifications import Channel
from accord.shared.outbox import Outbox

log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        pool: Pool,
        senders: Mapping[Channel, Sender],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings, self.pool, self.clock = settings, pool, clock
        self.uow = UnitOfWork(pool, Outbox(settings.db_schema))
        self.planner = Planner(settings, clock)
        self.deliverer = Deliverer(settings, self.uow, senders, clock)
        self._wake = asyncio.Event()

    async def run_once(self) -> int:
        """One pass: due check-ins, then up to a batch of due deliveries. Returns how many were due."""
        now = self.clock()
        if self.settings.check_ins_enabled:
            await remind_due_check_ins(self.uow, self.planner, now)
        async with self.uow() as repo:
            due = await repo.deliveries.due_ids(now, self.settings.dispatch_batch_size)
        slots = asyncio.Semaphore(self.settings.dispatch_concurrency)

        async def deliver(delivery_id: UUID) -> None:
            async with slots:
                await self.deliverer.deliver(delivery_id)

        await asyncio.gather(*(deliver(i) for i in due))
        return len(due)

    async def run(self, stop: asyncio.Event) -> None:
        async with listening(self.pool, f"{self.settings.db_schema}_deliveries", self._on_notify):
            while not stop.is_set():
                self._wake.clear()  # before the pass, so a commit during it wakes the next wait
                try:
                    if await self.run_once() >= self.settings.dispatch_batch_size:
                        continue  # more may be due right now
                except Exception:
                    # The worker does not watch its background tasks until it stops: a dispatcher that ended here
                    # would leave messages unsent while everything looked healthy. Log, wait, try again.
                    log.exception("dispatch pass failed; will retry")
                await self._sleep(stop)

    async def _sleep(self, stop: asyncio.Event) -> None:
        waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
        try:
            await asyncio.wait(
                waits, timeout=self.settings.dispatch_poll_interval_seconds, return_when="FIRST_COMPLETED"
            )
        finally:
            for task in waits:
                task.cancel()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()
