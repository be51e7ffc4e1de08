"""What every service's processes are made of: the API process and the worker process (outbox relay and
idempotent consumers), wired the same way in every service so that knowing one means knowing all."""

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from accord.shared.audit import Audit, ReadAudit
from accord.shared.db import create_pool
from accord.shared.episode_keys import EpisodeKeys, Opener, keys_group, on_episode_key_issued
from accord.shared.events.registry import EPISODE_KEYS_TOPIC
from accord.shared.inbox import EventHandler, IdempotentConsumer, subscribe
from accord.shared.inbox.wedged import STOP_TIMEOUT_SECONDS
from accord.shared.kafka import client_options, faststream_security, new_producer
from accord.shared.logging import configure_logging
from accord.shared.migrations import check_schema_known
from accord.shared.outbox import Outbox, OutboxRelay
from accord.shared.settings import ServiceSettings
from accord.shared.waiting import Waiting, connect_when_reachable

log = structlog.get_logger(__name__)


S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Resources(Generic[S]):
    """Open connections of one process, and the service's own settings. Handlers reach the database and the outbox
    through these. No Kafka producer: an API's writes go to the outbox, and only the worker (relay and consumers)
    talks to Kafka, with a producer of its own."""

    settings: S
    pool: asyncpg.Pool
    outbox: Outbox
    read_audit: ReadAudit

    async def check_database(self) -> None:
        async with self.pool.acquire() as conn:
            await conn.fetchval("SELECT 1")


@asynccontextmanager
async def open_resources(settings: S, waiting: Waiting | None = None) -> AsyncIterator[Resources[S]]:
    """Connects to the database, waiting (with backoff, told to `waiting`) while it is unreachable."""
    configure_logging(settings.service, settings.log_level, settings.log_json)
    pool = await connect_when_reachable("database", lambda: _checked_pool(settings), waiting=waiting)
    try:
        outbox = Outbox(settings.db_schema, settings.sealer())
        yield Resources(settings, pool, outbox, ReadAudit(Audit(settings.db_schema), pool))
    finally:
        await pool.close()


async def _checked_pool(settings: ServiceSettings) -> asyncpg.Pool:
    """A pool on a schema this code knows (not migrated by a newer release)."""
    pool = await create_pool(settings)
    try:
        async with pool.acquire() as conn:
            await check_schema_known(conn, settings.service, settings.db_schema)
    except BaseException:
        await pool.close()
        raise
    return pool


@asynccontextmanager
async def open_producer(settings: ServiceSettings, waiting: Waiting | None = None) -> AsyncIterator[AIOKafkaProducer]:
    """The worker's producer: the relay publishes with it and the consumers send dead letters with it. Waits (with
    backoff, told to `waiting`) while Kafka is unreachable."""
    producer = await connect_when_reachable("kafka", lambda: _started_producer(settings), waiting=waiting)
    try:
        yield producer
    finally:
        await producer.stop()


async def _started_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """A new producer per attempt: one whose start failed is closed, not started again."""
    producer = new_producer(settings.kafka_bootstrap_servers, f"accord-{settings.service}", client_options(settings))
    try:
        await producer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer


@dataclass(frozen=True)
class Subscription:
    """A consumer group's topics and one handler per event type it reacts to."""

    topics: Sequence[str]
    handlers: Callable[[Resources[Any]], Mapping[str, EventHandler]]
    description: str | None = None
    group_id: str | None = None
    """A consumer group of its own, for a stream that must keep its own offsets; by default the service's group."""


def episode_keys_subscription(service: str) -> Subscription:
    """A service's copy of the episodes' data keys, kept in its own `episode_keys` in its inbox transaction."""
    return Subscription(
        (EPISODE_KEYS_TOPIC,),
        lambda res: {
            "EpisodeKeyIssued": on_episode_key_issued(res.settings.db_schema, res.settings.episode_key_wrapping())
        },
        "the episodes' data keys, to open their sealed events",
        group_id=keys_group(service),
    )


class DependencyWatch:
    """A worker's readiness: whether its database and Kafka answered at the last look. Looked at every few seconds
    from the worker's event loop; read (called) by the metrics server's thread."""

    def __init__(self, interval_seconds: float = 5.0) -> None:
        self.interval = interval_seconds
        self.failing: dict[str, str] = {"worker": "starting"}

    def __call__(self) -> dict[str, str]:
        return dict(self.failing)

    def waiting(self, dependency: str, why: str) -> None:
        """While the worker starts: it waits for `dependency`, which does not answer (`why`)."""
        self.failing = {"worker": "starting", dependency: why}

    async def run(self, res: Resources[Any], producer: AIOKafkaProducer, stop: asyncio.Event) -> None:
        async def kafka() -> None:
            await producer.client.fetch_all_metadata()

        checks = {"database": res.check_database, "kafka": kafka}
        while not stop.is_set():
            failing = {}
            for name, check in checks.items():
                try:
                    async with asyncio.timeout(self.interval):
                        await check()
                except Exception as exc:
                    failing[name] = type(exc).__name__
            self.failing = failing
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
        self.failing = {"worker": "stopping"}


BackgroundTask = Callable[[Resources[Any], asyncio.Event], Coroutine[Any, Any, None]]
"""A loop of the service's own (a sweep, a dispatcher) that runs beside the relay until the event is set."""


def periodic(
    name: str, every_seconds: float, step: Callable[[Resources[Any]], Awaitable[Mapping[str, object]]]
) -> BackgroundTask:
    """A sweep: `step` now and every `every_seconds` until the worker stops, logging `<name> done` with what it
    returns (counts, never identifiers). A failed step is logged and tried again next time; it never ends the
    worker, whose other loops go on."""

    async def sweep(res: Resources[Any], stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                log.info(f"{name} done", **await step(res))
            except Exception as exc:
                log.warning(f"{name} failed; will try again", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_seconds)

    return sweep


async def run_worker(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription] = (),
    stop: asyncio.Event | None = None,
    background: Sequence[BackgroundTask] = (),
    watch: DependencyWatch | None = None,
) -> None:
    """Runs the outbox relay, the consumers and the service's background tasks until SIGTERM/SIGINT (or `stop`);
    `watch`, when given, keeps the worker's readiness up to date."""
    stop = stop or _stop_on_signals()
    waiting = watch.waiting if watch else None
    async with open_resources(settings, waiting) as res, open_producer(settings, waiting) as producer:
        broker = consumer_broker(settings)
        subscribed = []
        for sub in subscriptions:
            consumer = IdempotentConsumer(
                service=settings.service,
                schema=settings.db_schema,
                pool=res.pool,
                producer=producer,
                handlers=sub.handlers(res),
                max_attempts=settings.consumer_max_attempts,
                group_id=sub.group_id,
                opener=(
                    Opener(
                        EpisodeKeys(settings.db_schema),
                        res.pool,
                        give_up_seconds=settings.consumer_episode_key_wait_seconds,
                    )
                    if settings.keeps_episode_keys
                    else None
                ),
            )
            subscribed.append(
                subscribe(
                    broker,
                    consumer,
                    sub.topics,
                    max_records=settings.consumer_max_records,
                    fetch_min_bytes=settings.consumer_fetch_min_bytes,
                    fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
                    gather_ms=settings.consumer_gather_ms,
                    idle_poll_ms=settings.consumer_idle_poll_ms,
                    commit_interval_ms=settings.consumer_commit_interval_ms,
                    commit_timeout_seconds=settings.consumer_commit_timeout_seconds,
                    description=sub.description,
                )
            )
        relay = OutboxRelay(
            service=settings.service,
            schema=settings.db_schema,
            pool=res.pool,
            producer=producer,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval_seconds,
            gather_seconds=settings.outbox_gather_ms / 1000,
            gather_rows=settings.outbox_gather_rows,
        )
        await broker.start()
        log.info("worker started", subscriptions=len(subscriptions), background=len(background))
        tasks = [asyncio.create_task(relay.run(stop)), *(asyncio.create_task(task(res, stop)) for task in background)]
        if watch is not None:
            tasks.append(asyncio.create_task(watch.run(res, producer, stop)))
        try:
            # A loop that dies takes the worker down with it (to be restarted), rather than leaving it half alive.
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            stop.set()
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            # While the consumers are still in their groups: the offsets held for applied batches are committed (each
            # within the stop's grace, not the commit timeout, so an unreachable broker does not hold the stop; a
            # failure is only logged), so a restart is not handed up to an interval of applied events again. A batch
            # still being applied commits its own at once when it ends.
            grace = settings.consumer_stop_grace_seconds
            await asyncio.gather(*(s.offsets.release(within=grace) for s in subscribed))
            try:
                # Bounded: a consumer wedged in aiokafka never finishes its stop (inbox/wedged.py), and a worker told
                # to stop must stop. Nothing is lost: offsets not committed are delivered again, and the inbox skips.
                async with asyncio.timeout(settings.consumer_stop_grace_seconds + STOP_TIMEOUT_SECONDS):
                    await broker.stop()
            except TimeoutError:
                log.warning("the consumers did not stop in time; stopping without them")
            log.info("worker stopped")


def consumer_broker(settings: ServiceSettings) -> KafkaBroker:
    """The broker the worker's consumers subscribe on. On stop, faststream waits for a batch being applied for its
    graceful timeout (15 s unless told), then abandons it. Abandoning is safe here, since a batch's effects and inbox
    rows commit in one transaction and offsets only after it: the rollback leaves the batch to be redelivered and
    applied once. A short wait keeps a stop prompt when a batch is slow (a handler retrying with backoff)."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        logger=None,
        security=faststream_security(settings),
        graceful_timeout=settings.consumer_stop_grace_seconds,
    )


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
