"""A batch commits the offsets of the partitions it read, and only those."""

import uuid
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from accord.devtools.testing import Sandbox, create_topic, eventually, goal_paused
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration


async def committed(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()


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
    consumer = IdempotentConsumer(
        service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer,
        handlers={"GoalPaused": handler}, group_id=group,
    )  # fmt: skip
    subscribe(broker, consumer, [busy, quiet])
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
