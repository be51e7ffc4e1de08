"""A batch commits the offsets of the partitions it read, and only those; while events flow they are held and
committed together, and a graceful stop commits what is held."""

import asyncio
import time
import uuid
from typing import Any, ClassVar

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from accord.devtools.testing import Sandbox, create_topic, eventually, goal_paused
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer
from accord.shared.runtime import Subscription, run_worker
from accord.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration


async def committed(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()


def _consumer(sandbox: Sandbox, producer: Any, group: str, handler: Any) -> IdempotentConsumer:
    """A consumer in `group` of the sandbox's schema that applies GoalPaused with `handler`."""
    return IdempotentConsumer(
        service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer,
        handlers={"GoalPaused": handler}, group_id=group,
    )  # fmt: skip


async def test_a_batch_commits_the_partitions_it_read_and_leaves_the_others_as_they_were(sandbox: Sandbox) -> None:
    """A group reading several topics holds many partitions; committing every one of them with each batch wrote an
    offset record for each. Partitions without records are left uncommitted, and nothing is delivered twice."""
    busy, quiet = f"test.{uuid.uuid4().hex[:8]}", f"test.{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, busy, partitions=3)
    await create_topic(sandbox.bootstrap, quiet)
    applied: list[uuid.UUID] = []

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        applied.append(envelope.event_id)

    group, producer = f"g-{uuid.uuid4().hex[:8]}", new_producer(sandbox.bootstrap, "test")
    await producer.start()
    broker = KafkaBroker(sandbox.bootstrap, logger=None)
    subscribe(broker, _consumer(sandbox, producer, group, handler), [busy, quiet])
    headers = [("event_type", b"GoalPaused")]
    try:
        for partition, count in ((0, 2), (1, 1)):
            for _ in range(count):
                await producer.send_and_wait(busy, goal_paused().to_bytes(), partition=partition, headers=headers)
        await broker.start()
        expected = {TopicPartition(busy, 0): 2, TopicPartition(busy, 1): 1}

        async def read_ones_committed() -> bool:
            return await committed(sandbox.bootstrap, group) == expected

        await eventually(read_ones_committed)
        await producer.send_and_wait(busy, goal_paused().to_bytes(), partition=2, headers=headers)
        expected[TopicPartition(busy, 2)] = 1
        await eventually(read_ones_committed)  # the quiet topic's partition still never committed
    finally:
        await broker.stop()
        await producer.stop()
    assert len(applied) == len(set(applied)) == 4


async def _applied(sandbox: Sandbox) -> int:
    return int(await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.inbox"))


async def _flow(sandbox: Sandbox, producer: Any, topic: str, events: int) -> None:
    """A steady flow: one event every 50 ms, each a batch of its own that follows the one before closely."""
    for _ in range(events):
        await producer.send_and_wait(topic, goal_paused().to_bytes(), headers=[("event_type", b"GoalPaused")])
        await asyncio.sleep(0.05)


async def test_while_events_flow_the_committed_offset_lags_behind_the_applied_ones_and_catches_up_within_the_interval(
    sandbox: Sandbox,
) -> None:
    topic, group = f"test.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, topic)
    end = TopicPartition(topic, 0)

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        pass

    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    broker = KafkaBroker(sandbox.bootstrap, logger=None)
    subscribe(broker, _consumer(sandbox, producer, group, handler), [topic], commit_interval_ms=2000)
    admin = AIOKafkaAdminClient(bootstrap_servers=sandbox.bootstrap)

    async def committed_offset() -> int:
        return int((await admin.list_consumer_group_offsets(group))[end].offset)

    await admin.start()
    try:
        await broker.start()
        await _flow(sandbox, producer, topic, 1)
        await eventually(lambda: _is_committed(sandbox, group, {end: 1}), interval=0.02)  # after a quiet spell: at once

        seen: set[int] = set()
        for _ in range(10):
            await _flow(sandbox, producer, topic, 1)
            seen.add(await committed_offset())
        await eventually(lambda: _applied_is(sandbox, 11), interval=0.02)
        flow_applied_at = time.monotonic()
        # Ten batches: the first (after the quiet spell) committed at once, the others held since.
        assert len(seen) <= 2 and await committed_offset() < 11

        await eventually(lambda: _is_committed(sandbox, group, {end: 11}), interval=0.05)
        assert time.monotonic() - flow_applied_at < 2.0  # by the held commit's timer: no further batch came
    finally:
        await broker.stop()
        await producer.stop()
        await admin.close()


class _Settings(ServiceSettings):
    service: ClassVar[str] = "test"


async def test_a_worker_stopped_gracefully_commits_the_offsets_it_held(sandbox: Sandbox) -> None:
    topic, group = f"test.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, topic)
    end = TopicPartition(topic, 0)
    settings_class: Any = type("Settings", (_Settings,), {"service": sandbox.schema})  # db_schema: the sandbox's
    settings = settings_class.model_validate(
        {
            "database_url": sandbox.dsn,
            "KAFKA_BOOTSTRAP_SERVERS": sandbox.bootstrap,
            "ACCORD_OIDC_ISSUER": "http://issuer.test",
            "ACCORD_OIDC_JWKS": '{"keys": []}',
            "consumer_commit_interval_ms": 10_000,  # far longer than the stop takes: only the stop commits
            "consumer_stop_grace_seconds": 0.5,
        }
    )

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        pass

    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    stop = asyncio.Event()
    subscription = Subscription((topic,), lambda res: {"GoalPaused": handler}, group_id=group)
    worker = asyncio.create_task(run_worker(settings, [subscription], stop))
    try:
        await _flow(sandbox, producer, topic, 1)
        await eventually(lambda: _is_committed(sandbox, group, {end: 1}), timeout=60, interval=0.02)
        await _flow(sandbox, producer, topic, 8)
        await eventually(lambda: _applied_is(sandbox, 9), interval=0.02)
        assert (await committed(sandbox.bootstrap, group))[end] < 9  # held
        stop.set()
        await asyncio.wait_for(worker, 30)
        assert await committed(sandbox.bootstrap, group) == {end: 9}
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
        await producer.stop()


async def _is_committed(sandbox: Sandbox, group: str, offsets: dict[TopicPartition, int]) -> bool:
    return await committed(sandbox.bootstrap, group) == offsets


async def _applied_is(sandbox: Sandbox, count: int) -> bool:
    return await _applied(sandbox) == count
