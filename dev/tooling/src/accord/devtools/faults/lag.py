"""Has every consumer group taken what was written? Told by the outbox (every row up to a point sent) and then by
Kafka (each group's committed offsets at the topic's end offsets as they were once those rows were out).

A group commits its offsets only after the batch's transaction (inbox rows and effects) has committed, so a group
at the end offsets has applied, or dead-lettered, everything before them. Asking Kafka costs the same at any size,
where counting inboxes of a million rows every second took a third of a core from the pipeline under test.
"""

import asyncio
import contextlib
import time
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from accord.devtools.testing import partitions_of

# LookupError: partitions_of finds no partitions while the broker is away (no metadata).
AWAY = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    TimeoutError,
    KafkaError,
    LookupError,
)


async def last_outbox_id(url: str, schema: str) -> int:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return int(await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {schema}.outbox"))
    finally:
        await conn.close()


async def caught_up(
    url: str,
    bootstrap: str,
    kafka_options: dict[str, Any],
    feeds: list[tuple[str, str, tuple[str, ...]]],
    timeout: float,
    up_to: dict[str, int] | None = None,
) -> None:
    """Waits until, for each (outbox schema, topic, consumer groups) in `feeds`, the outbox has sent every row of
    the topic (up to `up_to[schema]`, its last id when a fault struck, if given) and each group has committed
    offsets at the topic's end offsets read after that. Raises TimeoutError naming what is behind."""
    deadline = time.monotonic() + timeout
    for schema, topic, groups in feeds:
        behind = f"{schema}'s outbox"
        while True:
            with contextlib.suppress(*AWAY):
                if await _unsent(url, schema, topic, (up_to or {}).get(schema)) == 0:
                    break
            _check(deadline, timeout, behind)
            await asyncio.sleep(0.5)
        ends: dict[TopicPartition, int] | None = None
        while True:
            with contextlib.suppress(*AWAY):
                ends = ends or await end_offsets(bootstrap, kafka_options, topic)
                late = [g for g in groups if not _at(await committed(bootstrap, kafka_options, g), ends)]
                if not late:
                    break
                behind = f"{', '.join(late)} on {topic}"
            _check(deadline, timeout, behind)
            await asyncio.sleep(1.0)


async def lag(bootstrap: str, kafka_options: dict[str, Any], topic: str, groups: tuple[str, ...]) -> dict[str, int]:
    """Records of `topic` each group has yet to take (for the progress lines)."""
    ends = await end_offsets(bootstrap, kafka_options, topic)
    behind = {}
    for group in groups:
        done = await committed(bootstrap, kafka_options, group)
        behind[group] = sum(max(0, end - done.get(tp, 0)) for tp, end in ends.items())
    return behind


async def end_offsets(bootstrap: str, kafka_options: dict[str, Any], topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **kafka_options)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(await partitions_of(consumer, topic)))
    finally:
        await consumer.stop()


async def committed(bootstrap: str, kafka_options: dict[str, Any], group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_options)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items()}


def _at(done: dict[TopicPartition, int], ends: dict[TopicPartition, int]) -> bool:
    return all(end == 0 or done.get(tp, -1) >= end for tp, end in ends.items())


async def _unsent(url: str, schema: str, topic: str, up_to: int | None) -> int:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return int(
            await conn.fetchval(
                # Through the unsent rows' own table (ddl.py): the outbox has no index on its unsent rows any more.
                f"SELECT count(*) FROM {schema}.outbox_unsent u JOIN {schema}.outbox o ON o.id = u.id "
                "WHERE o.topic = $1 AND u.id <= $2",
                topic,
                up_to if up_to is not None else 2**62,
            )
        )
    finally:
        await conn.close()


def _check(deadline: float, timeout: float, behind: str) -> None:
    if time.monotonic() > deadline:
        raise TimeoutError(f"not caught up within {timeout:.0f} s: {behind} behind")
