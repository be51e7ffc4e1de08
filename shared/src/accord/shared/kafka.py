"""Kafka clients configured the one way Accord uses them, and topic creation from the registry."""

from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from accord.shared.events.registry import TOPICS, TopicSpec


def new_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """Idempotent, acks=all: a retried send never duplicates or reorders within a partition."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=512 * 1024,
        request_timeout_ms=30_000,
    )


async def ensure_topics(
    bootstrap_servers: str, specs: Iterable[TopicSpec] | None = None, replication_factor: int = 1
) -> list[str]:
    """Creates the registry's topics that are missing; returns their names. Existing topics are checked,
    not altered: a partition count that differs from the registry is an error an operator must resolve."""
    specs = list(TOPICS.values() if specs is None else specs)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accord-topics")
    await admin.start()
    try:
        existing = await admin.describe_topics([s.name for s in specs])
        partitions = {
            t["topic"]: len(t["partitions"]) for t in existing if t.get("error_code", 0) == 0 and t["partitions"]
        }
        for spec in specs:
            if spec.name in partitions and partitions[spec.name] != spec.partitions:
                raise RuntimeError(
                    f"topic {spec.name} has {partitions[spec.name]} partitions, the registry says {spec.partitions}"
                )
        missing = [s for s in specs if s.name not in partitions]
        if missing:
            await admin.create_topics(
                [NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.config()) for s in missing]
            )
        return [s.name for s in missing]
    finally:
        await admin.close()
