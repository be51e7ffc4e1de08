"""Publishes committed outbox rows to Kafka, in order per key, and marks them sent only after Kafka acks."""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer

from accord.shared.faults import fault_point
from accord.shared.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISH_LAG,
    OUTBOX_PUBLISHED,
)

log = structlog.get_logger(__name__)

# Rows are claimed from the table of unsent rows (`outbox_unsent`, ddl.py), locked with SKIP LOCKED so several
# relays never publish the same row at once. A row is left for later when an older unsent row with the same key is
# outside this batch (another relay holds it): publishing it now could overtake that row and break the per-client
# order. A row whose transaction commits after a higher-numbered one is simply picked up once it is visible: nothing
# here moves a cursor past it.
_CLAIM = """
WITH claimed AS (
    SELECT id, message_key FROM {queue}
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
SELECT o.id, o.topic, o.message_key, o.payload, o.headers, o.created_at
FROM {table} o JOIN claimed c ON c.id = o.id
WHERE NOT EXISTS (
    SELECT 1 FROM {queue} e
    WHERE e.message_key = c.message_key AND e.id < c.id
      AND e.id NOT IN (SELECT id FROM claimed)
)
ORDER BY o.id
"""


def gather_pause(most: float, rows: int, rows_per_second: float) -> float:
    """How long a busy relay lets commits join the batch a commit woke it for: long enough for about `rows` rows at
    the rate the last batch came in, and never over `most`. At a hundred events a second a batch is then worth
    several, while at thousands the pause is a few milliseconds, not `most`: it adds to every event's lag, and a
    batch of `rows` already shares a claim, a publish and a mark among many. `rows` 0: always `most`."""
    if rows <= 0 or rows_per_second <= 0:
        return most
    return min(most, rows / rows_per_second)


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        schema: str,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        gather_seconds: float = 0.0,
        gather_rows: int = 0,
        busy_within_seconds: float = 0.25,
        retry_backoff: float = 0.5,
        keep_sent_for: timedelta = timedelta(hours=24),
        clock: Callable[[], float] = time.time,
        observe_lag: Callable[[float], None] | None = None,
    ) -> None:
        self.service, self.schema, self.table = service, schema, f"{schema}.outbox"
        self.pool, self.producer = pool, producer
        self.batch_size, self.poll_interval, self.retry_backoff = batch_size, poll_interval, retry_backoff
        # A relay that published less than `busy_within_seconds` ago is busy: a commit waking it gathers, for at most
        # `gather_seconds`, and less when rows come fast enough to make a batch of `gather_rows` sooner (gather_pause).
        self.gather_seconds, self.gather_rows = gather_seconds, gather_rows
        self.busy_within_seconds = busy_within_seconds
        self.keep_sent_for = keep_sent_for
        self.clock = clock
        self.observe_lag = observe_lag or OUTBOX_PUBLISH_LAG.labels(service).observe
        self._wake = asyncio.Event()
        self.queue = f"{schema}.outbox_unsent"
        self._claim_sql = _CLAIM.format(table=self.table, queue=self.queue)

    async def run(self, stop: asyncio.Event) -> None:
        """Relays until `stop` is set: woken by NOTIFY on commit, polling as a fallback for lost notifies."""
        listener = await self.pool.acquire()
        await listener.add_listener(f"{self.schema}_outbox", self._on_notify)
        housekeeping = asyncio.create_task(self._housekeeping(stop))
        last_published_at, rows_per_second = -self.busy_within_seconds, 0.0
        try:
            while not stop.is_set():
                self._wake.clear()  # before claiming, so a commit during the batch wakes the next wait
                try:
                    published = await self.relay_once()
                except Exception as exc:
                    OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                    log.warning("outbox relay batch failed; will retry", error=type(exc).__name__)
                    await _sleep_or_stop(stop, self.retry_backoff)
                    continue
                if published:
                    now = time.monotonic()
                    rows_per_second = published / max(now - last_published_at, 1e-3)
                    last_published_at = now
                if published < self.batch_size:  # drained: wait for a commit or the poll interval
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wait_for_wake_or_stop(stop), self.poll_interval)
                    # Woken by one commit while commits keep coming, let the ones just behind it join the batch: a
                    # claim, a publish and a mark cost about the same for one row as for a hundred, so under load
                    # this trades a few milliseconds of lag for far fewer round trips per event. A commit after a
                    # quiet spell is published at once: nothing is likely to join it, and its lag is all a person
                    # waiting for the effect (a celebration in the inbox) would feel.
                    busy = time.monotonic() - last_published_at < self.busy_within_seconds
                    if self._wake.is_set() and self.gather_seconds and busy:
                        pause = gather_pause(self.gather_seconds, self.gather_rows, rows_per_second)
                        await _sleep_or_stop(stop, pause)
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            with contextlib.suppress(Exception):
                await listener.remove_listener(f"{self.schema}_outbox", self._on_notify)
            await self.pool.release(listener)

    async def relay_once(self) -> int:
        """Claims a batch, publishes it, waits for every ack, then marks it sent, all in one transaction: BEGIN, the
        claim, and the mark sent with the COMMIT (three round trips)."""
        rows: list[asyncpg.Record] = []
        try:
            async with self.pool.acquire() as conn:
                await conn.execute("BEGIN")
                try:
                    rows = await conn.fetch(self._claim_sql, self.batch_size)
                    if not rows:
                        await conn.execute("COMMIT")
                        return 0
                    acks = [
                        await self.producer.send(
                            row["topic"],
                            value=row["payload"] or None,  # empty: a tombstone (Outbox.add_tombstone)
                            key=row["message_key"].encode(),
                            headers=[(k, v.encode()) for k, v in json.loads(row["headers"]).items()],
                        )
                        for row in rows
                    ]
                    await asyncio.gather(*acks)
                    acked_at = self.clock()
                    await fault_point("relay.after_publish")
                    await conn.execute(self._mark_sent_and_commit([row["id"] for row in rows]))
                except BaseException:
                    if not conn.is_closed() and conn.is_in_transaction():
                        with contextlib.suppress(Exception):  # a broken connection is closed by the pool instead
                            await conn.execute("ROLLBACK")
                    raise
        except Exception as exc:
            if rows:  # the claim has rolled back by now, so the rows can be updated without waiting on it
                await self._record_failure(rows, exc)
            raise
        for row in rows:  # from the insert (just before its commit) to Kafka's acknowledgement
            self.observe_lag(max(0.0, acked_at - row["created_at"].timestamp()))
        OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    def _mark_sent_and_commit(self, ids: list[int]) -> str:
        """The batch out of the unsent rows and marked sent, and the COMMIT, as one simple-protocol message (one round
        trip where the mark and the commit were two; the ids are the claim's own bigints, written as an array
        literal). The commit need not wait for its WAL flush (`synchronous_commit` off for this transaction only): a
        mark lost to a database crash leaves its rows unsent, to be published again, which at least once already
        allows (every inbox takes a second copy as a duplicate); a lost mark cannot lose an event or reorder a key's
        events, and nothing is acknowledged to anyone on it."""
        batch = f"ANY('{{{','.join(str(int(i)) for i in ids)}}}'::bigint[])"
        return (
            "SET LOCAL synchronous_commit = off; "
            f"DELETE FROM {self.queue} WHERE id = {batch}; "
            f"UPDATE {self.table} SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = {batch}; "
            "COMMIT"
        )

    async def _record_failure(self, rows: list[asyncpg.Record], exc: Exception) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"UPDATE {self.table} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
                type(exc).__name__,
            )

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with self.pool.acquire() as conn:
                    await conn.execute(
                        f"DELETE FROM {self.table} WHERE sent_at IS NOT NULL AND sent_at < now() - $1::interval",
                        self.keep_sent_for,
                    )
                    backlog = await conn.fetchval(f"SELECT count(*) FROM {self.queue}")
                OUTBOX_BACKLOG.labels(self.service).set(backlog)
            except Exception as exc:
                log.warning("outbox housekeeping failed", error=type(exc).__name__)
            await _sleep_or_stop(stop, 5.0)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _wait_for_wake_or_stop(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
