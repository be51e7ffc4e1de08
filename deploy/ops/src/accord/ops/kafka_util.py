"""Small Kafka helpers the operator commands share.

Every command connects as the operator principal when the environment says how (as a Kubernetes Job's or an
operator's shell sets it): `KAFKA_SECURITY_PROTOCOL=SASL_SSL`, `KAFKA_SASL_USERNAME` (accord-operator),
`KAFKA_SASL_PASSWORD`, `KAFKA_SSL_CA_FILE`. Unset, plaintext: a development broker."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from accord.shared.kafka import security_options


def operator_security() -> dict[str, Any]:
    """aiokafka's security arguments for the operator principal, from the environment."""
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return {}
    try:
        username, password = os.environ["KAFKA_SASL_USERNAME"], os.environ["KAFKA_SASL_PASSWORD"]
    except KeyError as missing:
        raise RuntimeError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs {missing.args[0]} too") from None
    ca_file = os.environ.get("KAFKA_SSL_CA_FILE")
    return security_options(protocol, username, password, Path(ca_file) if ca_file else None)


@asynccontextmanager
async def admin_client(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="accord-ops", **operator_security())
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
        **operator_security(),
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
