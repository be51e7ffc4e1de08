"""Small Kafka helpers the operator commands share."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


@asynccontextmanager
async def admin_client(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="accord-ops")
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def consumer(bootstrap: str, group: str | None = None) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer that is assigned partitions by hand: it never joins (and so never rebalances) a group, but
    can still read and commit that group's offsets."""
    client = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="accord-ops",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    async with admin_client(bootstrap) as admin:
        [described] = await admin.describe_topics([topic])
    if described.get("error_code", 0) != 0 or not described["partitions"]:
        raise LookupError(f"topic {topic} does not exist")
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]
