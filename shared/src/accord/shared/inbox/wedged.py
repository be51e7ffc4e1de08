"""A consumer whose offset commit never returns is wedged: its subscriber is started again, in the same process.

aiokafka (0.14) can wedge after its broker is killed and started again: the group coordinator's lookup waits on a
metadata update that never completes, so the offset commit, the heartbeats and the consumer's own stop all wait for
ever, and the broker drops the member from the group. Seen once in CI: a running worker consumed nothing for a
minute after its broker came back, and did not stop on SIGTERM. So a commit that outlives
`consumer_commit_timeout_seconds` is taken to be that: the subscriber is stopped (its consumer abandoned if the
stop waits too) and started again with a new consumer, which joins the group and resumes from the committed offsets,
waiting with backoff while Kafka is away. Exactly once holds: the batch whose commit wedged had its effects and
inbox rows committed in one transaction, so when it is delivered again the inbox skips it.
"""

import asyncio
import contextlib
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer

from accord.shared.metrics import CONSUMERS_RESTARTED
from accord.shared.waiting import connect_when_reachable

log = structlog.get_logger(__name__)

STOP_TIMEOUT_SECONDS = 10.0
"""How long a wedged subscriber's stop may take before its consumer is abandoned."""


class ConsumerWedged(Exception):
    """The offset commit of a batch whose effects are committed did not return in time."""


class Restarter:
    """Starts a wedged subscriber again, once at a time; the batch that found it wedged raises ConsumerWedged."""

    def __init__(self, service: str, group: str) -> None:
        self.service, self.group = service, group
        self._restarting: asyncio.Task[None] | None = None

    def restart(self, subscriber: Any) -> None:
        if self._restarting is None or self._restarting.done():
            # Not awaited by the batch: stopping the subscriber cancels the task the batch runs in.
            self._restarting = asyncio.create_task(self._restart(subscriber))

    async def _restart(self, subscriber: Any) -> None:
        log.warning("offset commit wedged: starting this consumer again", group=self.group)
        wedged: AIOKafkaConsumer | None = subscriber.consumer
        try:
            async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                await subscriber.stop()
        except TimeoutError:
            log.warning("the wedged consumer did not stop: abandoned", group=self.group)
            if wedged is not None:
                await abandon(wedged)
            subscriber.consumer = None
        await connect_when_reachable("kafka", lambda: _start(subscriber))
        CONSUMERS_RESTARTED.labels(self.service, self.group).inc()
        log.info("consumer started again", group=self.group)


async def _start(subscriber: Any) -> None:
    """One attempt: a consumer whose start failed (Kafka away) is closed, and the next attempt builds a new one."""
    try:
        await subscriber.start()
    except BaseException:
        if subscriber.consumer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(subscriber.consumer.stop(), STOP_TIMEOUT_SECONDS)
            subscriber.consumer = None
        raise


async def abandon(consumer: AIOKafkaConsumer) -> None:
    """Ends what a wedged consumer still runs, since its own stop waits on the coordinator that is wedged. Its
    heartbeats must end, or a coordinator that came unstuck could rejoin the group and take partitions it would
    never read. These are aiokafka's internals (its version is pinned in uv.lock); each step is best effort."""
    coordinator = getattr(consumer, "_coordinator", None)
    for name in ("_coordination_task", "_heartbeat_task", "_commit_refresh_task"):
        task = getattr(coordinator, name, None)
        if isinstance(task, asyncio.Task) and not task.done():
            task.cancel()
    leave = getattr(coordinator, "_maybe_leave_group", None)
    if leave is not None:  # frees its partitions at once where the coordinator still answers (else its session ends)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(leave(), 2)
    for closing in (getattr(consumer, "_fetcher", None), getattr(consumer, "_client", None)):
        close = getattr(closing, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(close(), STOP_TIMEOUT_SECONDS)
