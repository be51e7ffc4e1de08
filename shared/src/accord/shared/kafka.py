"""Kafka clients configured the one way Accord uses them, and topic creation from the registry."""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLScram512

from accord.shared.events.registry import TOPICS, TopicSpec
from accord.shared.settings import ServiceSettings


def security_options(
    protocol: str, username: str | None = None, password: str | None = None, ca_file: Path | None = None
) -> dict[str, Any]:
    """aiokafka's keyword arguments for a connection: nothing for PLAINTEXT; for SASL_SSL, SCRAM-SHA-512 with the
    principal's password over TLS whose server certificate must chain to `ca_file` (else the system's CAs) and name
    the host (create_ssl_context verifies both by default)."""
    if protocol == "PLAINTEXT":
        return {}
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": username,
        "sasl_plain_password": password,
        "ssl_context": create_ssl_context(cafile=str(ca_file) if ca_file else None),
    }


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """The service's own principal, from its settings, as aiokafka keyword arguments."""
    password = settings.kafka_password.get_secret_value() if settings.kafka_password else None
    return security_options(settings.kafka_security_protocol, settings.kafka_username, password, settings.kafka_ca_file)


def faststream_security(settings: ServiceSettings) -> BaseSecurity | None:
    """The same principal for faststream's KafkaBroker (which turns it back into aiokafka's arguments)."""
    options = client_options(settings)
    if not options:
        return None
    return SASLScram512(
        username=options["sasl_plain_username"],
        password=options["sasl_plain_password"],
        ssl_context=options["ssl_context"],
        use_ssl=True,
    )


def new_producer(bootstrap_servers: str, client_id: str, security: Mapping[str, Any] | None = None) -> AIOKafkaProducer:
    """Idempotent, acks=all: a retried send never duplicates or reorders within a partition. `security` is
    security_options()/client_options() (none: PLAINTEXT)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        **dict(security or {}),
        enable_idempotence=True,
        acks="all",
        # No linger: the relay hands a whole claimed batch to send() before the sender task runs, so its records
        # are batched anyway; a linger would only add its milliseconds to every event's lag.
        linger_ms=0,
        max_batch_size=512 * 1024,
        request_timeout_ms=30_000,
    )


async def ensure_topics(
    bootstrap_servers: str,
    specs: Iterable[TopicSpec] | None = None,
    replication_factor: int = 1,
    security: Mapping[str, Any] | None = None,
) -> list[str]:
    """Creates the registry's topics that are missing; returns their names. Existing topics are checked,
    not altered: a partition count that differs from the registry is an error an operator must resolve."""
    specs = list(TOPICS.values() if specs is None else specs)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accord-topics", **dict(security or {}))
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
