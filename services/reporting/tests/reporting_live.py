"""Helpers for the integration tests: publish scripted events as the outbox relay would, run the worker in-process,
wait until it has consumed everything, and talk to the API."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from accord.devtools.testing import eventually, partitions_of
from accord.reporting.bootstrap import create_api, settings, subscriptions
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.shared.events import Envelope
from accord.shared.events.registry import topic_for
from accord.shared.kafka import new_producer
from accord.shared.outbox.store import envelope_headers
from accord.shared.runtime import run_worker


async def publish(bootstrap: str, envelopes: Iterable[Envelope]) -> None:
    """In the given order, keyed by client and with the outbox's headers."""
    producer = new_producer(bootstrap, "reporting-tests")
    await producer.start()
    try:
        acks = []
        for e in envelopes:
            headers = [(k, v.encode()) for k, v in envelope_headers(e).items()]
            acks.append(
                await producer.send(
                    topic_for(e.event_type), e.to_bytes(), key=e.partition_key.encode(), headers=headers
                )
            )
        await asyncio.gather(*acks)
    finally:
        await producer.stop()


async def end_offsets(bootstrap: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [tp for topic in CONSUMED_TOPICS for tp in await partitions_of(consumer, topic)]
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return offsets
    finally:
        await consumer.stop()


async def committed_offsets(bootstrap: str, group: str = "reporting") -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        found = await admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in found.items()}
    finally:
        await admin.close()


async def caught_up(bootstrap: str, timeout: float = 60) -> None:
    """Waits until the reporting group has committed everything published so far (committed after the effects)."""
    target = {tp: offset for tp, offset in (await end_offsets(bootstrap)).items() if offset > 0}

    async def done() -> bool:
        committed = await committed_offsets(bootstrap)
        return all(committed.get(tp, 0) >= offset for tp, offset in target.items())

    await eventually(done, timeout=timeout, interval=0.2)


class Worker:
    """The reporting worker, in this process, started and stopped at will."""

    def __init__(self) -> None:
        self.stop_event: asyncio.Event | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(run_worker(settings(), subscriptions(), self.stop_event))

    async def stop(self) -> None:
        if self.stop_event and self.task:
            self.stop_event.set()
            await self.task
        self.stop_event = self.task = None


@asynccontextmanager
async def api() -> AsyncIterator[httpx.AsyncClient]:
    app = create_api()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        yield client


@asynccontextmanager
async def consumed(bootstrap: str, envelopes: Iterable[Envelope]) -> AsyncIterator[None]:
    """The worker running, with these envelopes published and consumed, until the block ends."""
    worker = Worker()
    worker.start()
    try:
        await publish(bootstrap, envelopes)
        await caught_up(bootstrap)
        yield
    finally:
        await worker.stop()
