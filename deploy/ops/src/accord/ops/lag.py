"""Consumer lag per service: how far each service's consumer group is behind the end of each partition."""

import importlib
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import TopicPartition

from accord.ops.kafka_util import admin_client, consumer, partitions
from accord.shared.services import SERVICES


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group never committed here, so it will start from the beginning
    end: int
    lag: int


def consumed_topics(service: str) -> tuple[str, ...]:
    """The topics a service subscribes to, where that service is installed; else only what it committed shows."""
    try:
        handlers = importlib.import_module(f"accord.{service}.handlers")
    except ImportError:
        return ()
    return tuple(getattr(handlers, "CONSUMED_TOPICS", ()))


async def group_lag(bootstrap: str, group: str, topics: Iterable[str] = ()) -> list[PartitionLag]:
    async with admin_client(bootstrap) as admin:
        committed = {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    tps = set(committed)
    for topic in topics:
        tps.update(await partitions(bootstrap, topic))
    ordered = sorted(tps, key=lambda tp: (tp.topic, tp.partition))
    if not ordered:
        return []
    async with consumer(bootstrap) as client:
        beginning, end = await client.beginning_offsets(ordered), await client.end_offsets(ordered)
    return [_lag(group, tp, committed.get(tp), beginning[tp], end[tp]) for tp in ordered]


def _lag(group: str, tp: TopicPartition, committed: int | None, beginning: int, end: int) -> PartitionLag:
    if committed is None or committed < 0:  # negative is Kafka's "none": the group reads from the earliest
        return PartitionLag(group, tp.topic, tp.partition, None, end, end - beginning)
    return PartitionLag(group, tp.topic, tp.partition, committed, end, end - committed)


async def service_lag(bootstrap: str, services: Iterable[str] = SERVICES) -> list[PartitionLag]:
    """The consumer group of a service is named after it (accord.shared.inbox)."""
    found: list[PartitionLag] = []
    for service in services:
        found += await group_lag(bootstrap, service, consumed_topics(service))
    return found
