"""When a consumer's applied batches have their offsets committed: at once after a quiet spell, at most once a
`commit_interval` while events flow.

An offset commit is a request to the group coordinator and a record written to `__consumer_offsets` for every
partition it names: per batch, the consumer's and the broker's largest cost after the fetch. Exactly-once does not
need one per batch: every batch's effects commit with its inbox rows in one transaction before its offsets are even
held here, so offsets committed later (or lost in a crash or a rebalance) only mean that a restarted consumer is
handed those events again, and the inbox skips them. A graceful stop commits what is held before the consumer leaves
its group (`release`, which `runtime.run_worker` calls before it stops the broker). What a held offset does delay is
what the group's committed offsets say: a lag read from them (`bench`, the fault campaign's `lag.py`, the end-to-end
tests' waits) sees a flowing group's last batch committed up to `commit_interval` later.
"""

import asyncio
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError

log = structlog.get_logger(__name__)


class HeldOffsets:
    """The offsets of a subscriber's applied batches, committed at once or held for a while.

    `applied(consumer, offsets, flowing)` takes a batch's offsets (each partition just past its last record): after
    a quiet spell (`flowing` false), or when the last commit is `commit_interval` old, they are committed with any
    held ones, within `timeout`; else they are held, and a commit is due when the interval has passed since the
    last one, whether or not another batch comes. A commit that outlives `timeout` calls `wedged` (the subscriber's
    restart); one the coordinator refuses after a rebalance drops the offsets (their events come again, skipped).
    """

    def __init__(self, commit_interval: float, timeout: float, wedged: Callable[[], None], group: str) -> None:
        self.commit_interval, self.timeout, self.wedged, self.group = commit_interval, timeout, wedged, group
        self._held: dict[TopicPartition, int] = {}
        self._consumer: Any = None
        self._last_commit = -math.inf
        self._due: asyncio.Task[None] | None = None
        self._committing = asyncio.Lock()

    async def applied(self, consumer: Any, offsets: Mapping[TopicPartition, int], flowing: bool) -> None:
        """Raises TimeoutError (wedged: the caller restarts) or CommitFailedError (a rebalance) from a commit made
        now; a commit made later deals with its own."""
        if consumer is not self._consumer:
            # A consumer started again (a wedge, a restart) resumes from the committed offsets: those held for the
            # one before it are for events it will be handed again.
            self._held, self._consumer = {}, consumer
        for tp, offset in offsets.items():
            self._held[tp] = max(self._held.get(tp, 0), offset)
        wait = self._last_commit + self.commit_interval - time.monotonic()
        if not flowing or wait <= 0:
            async with asyncio.timeout(self.timeout):
                await self.commit()
        elif self._due is None or self._due.done():
            self._due = asyncio.create_task(self._commit_after(wait))

    async def commit(self) -> None:
        """Commits what is held of the partitions the consumer still holds (one taken away in a rebalance is left
        out: its new owner gets its events again and the inbox skips them)."""
        async with self._committing:
            held, self._held = self._held, {}
            self._last_commit = time.monotonic()
            if self._consumer is None or not held:
                return
            assigned = self._consumer.assignment()
            if mine := {tp: offset for tp, offset in held.items() if tp in assigned}:
                await self._consumer.commit(mine)

    async def release(self, within: float | None = None) -> None:
        """On a graceful stop, before the consumer leaves its group: commits what is held, within `within` seconds
        (the commit timeout unless told; a stop is given less, so that a broker down does not hold it for that long),
        and from then on every batch's offsets at once (faststream lets a batch being applied finish, within the
        stop's grace, before it stops the consumer). A commit that fails or outlives its time is only logged: the
        events whose offsets it held are handed over again after the restart, and the inbox skips them."""
        self.commit_interval = 0.0
        try:
            async with asyncio.timeout(self.timeout if within is None else within):
                await self.commit()
        except Exception as exc:
            log.warning("held offsets not committed on stop", group=self.group, error=type(exc).__name__)

    async def _commit_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            async with asyncio.timeout(self.timeout):
                await self.commit()
        except TimeoutError:
            self.wedged()
        except CommitFailedError:
            log.info("held offsets refused after a rebalance; their events will be delivered again", group=self.group)
        except Exception as exc:  # KafkaError, or anything else: a task's exception would only reach asyncio's log
            # Not lost: commit() has let go of them, but a later commit of the same partition covers them, and a
            # partition with no later batch is handed its events again after a restart, which the inbox skips.
            log.warning("held offsets not committed", group=self.group, error=type(exc).__name__)
