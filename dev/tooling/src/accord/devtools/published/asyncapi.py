"""The AsyncAPI 3 document of each service, generated with faststream from the service's own wiring.

Subscriptions are registered with the very `accord.shared.inbox.subscribe` the worker uses, so the document
shows the real topics and consumer group. Publishing is the outbox relay's job, not faststream's, so each topic
the registry says the service produces gets a documentation-only publisher carrying the topic's message type.

`scripts/update-asyncapi` writes docs/asyncapi/<service>.json; tests/contracts fails when they differ from code.
"""

import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from faststream.specification import AsyncAPI

from accord.devtools.published.messages import EventRegistry, message_type
from accord.devtools.published.services import SERVICES, retention, subscriptions_of
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import EVENTS, TOPICS, TopicSpec
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.outbox.store import envelope_headers
from accord.shared.runtime import Subscription

SCHEMA_VERSION = "3.0.0"
BOOTSTRAP = "accord-kafka-bootstrap.kafka.svc:9093"  # as in deploy/k8s; elsewhere KAFKA_BOOTSTRAP_SERVERS
# Only for the document's security scheme (SCRAM-SHA-512 over TLS): no connection is ever made with it.
DOCUMENTED_SECURITY = SASLScram512(username="<principal>", password="<password>", use_ssl=True)  # noqa: S106
DOCS = Path("docs") / "asyncapi"
KAFKA_BINDING_VERSION = "0.4.0"  # the version faststream gives its channel bindings

Document = dict[str, Any]


def document(
    service: str,
    subscriptions: Sequence[Subscription],
    topics: dict[str, TopicSpec] = TOPICS,
    events: EventRegistry = EVENTS,
) -> Document:
    broker = KafkaBroker(
        BOOTSTRAP,
        logger=None,
        description="Accord's Kafka cluster (Strimzi, `accord`).",
        security=DOCUMENTED_SECURITY,
    )
    groups = set()
    for sub in subscriptions:
        consumer = _unconnected_consumer(service, sub.group_id)
        groups.add(consumer.group_id)
        subscribe(broker, consumer, sub.topics, description=sub.description)
    for spec in topics.values():
        if spec.producer == service:
            broker.publisher(
                spec.name, schema=message_type(spec.name, events), title=spec.name, description=_about(spec)
            )
    spec_doc = AsyncAPI(
        broker,
        title=f"Accord {service}",
        version=metadata.version(f"accord-{service}"),
        description=f"What the {service} service subscribes to and publishes on Kafka. Generated from code by "
        "scripts/update-asyncapi: do not edit. Every message is an Envelope (JSON) keyed by its partition_key.",
        schema_version=SCHEMA_VERSION,
    ).to_specification()
    doc: Document = json.loads(spec_doc.to_json())
    _type_subscribed_messages(doc, events)
    _name_consumer_groups(doc, service, groups)
    _add_headers(doc)
    return doc


def _unconnected_consumer(service: str, group_id: str | None) -> IdempotentConsumer:
    """The service's real consumer class, never started: only its group id is read, so it needs no database."""
    return IdempotentConsumer(
        service=service,
        schema=service,
        pool=cast(asyncpg.Pool, None),
        producer=cast(AIOKafkaProducer, None),
        handlers={},
        group_id=group_id,
    )


def _about(spec: TopicSpec) -> str:
    about = f"{spec.description} Key: {spec.key}. Partitions: {spec.partitions}. Retention: {retention(spec)}."
    if ".dlq." in spec.name:
        about += (
            " Each message is the original one unchanged (key, value, headers: usually an Envelope, an undecodable"
            " one as it came) plus dlq.* headers naming the reason and the original topic, partition and offset."
        )
    return about


def _receive_channels(doc: Document) -> list[str]:
    return [op["channel"]["$ref"].rsplit("/", 1)[-1] for op in doc["operations"].values() if op["action"] == "receive"]


def _message_names(doc: Document, channel: str) -> list[str]:
    return [ref["$ref"].rsplit("/", 1)[-1] for ref in doc["channels"][channel]["messages"].values()]


def _type_subscribed_messages(doc: Document, events: EventRegistry) -> None:
    """The inbox subscriber takes raw bytes (it decodes each record itself), so faststream sees no payload type.
    Its messages are what the producer publishes: the topic's message type, described the same way."""
    channels = _receive_channels(doc)
    addresses = sorted({doc["channels"][c]["address"] for c in channels})
    if not addresses:
        return
    broker = KafkaBroker(BOOTSTRAP, logger=None)
    for topic in addresses:
        broker.publisher(topic, schema=message_type(topic, events), title=topic)
    schemas = json.loads(AsyncAPI(broker, schema_version=SCHEMA_VERSION).to_specification().to_json())
    doc["components"]["schemas"].update(schemas["components"]["schemas"])
    doc["components"]["schemas"].pop("EmptyPayload", None)
    for channel in channels:
        for name in _message_names(doc, channel):
            payload = f"{doc['channels'][channel]['address']}:Message:Payload"
            doc["components"]["messages"][name]["payload"] = {"$ref": f"#/components/schemas/{payload}"}


def _name_consumer_groups(doc: Document, service: str, groups: set[str]) -> None:
    """The service's group receives on the channels faststream names after the topic; a group of its own on those
    it is the title of (accord.shared.inbox.subscribe)."""
    own = sorted(groups - {service})
    for operation in doc["operations"].values():
        if operation["action"] == "receive":
            channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
            # faststream names a titled subscriber's channel by the title alone when it reads one topic.
            group = next((g for g in own if channel == g or channel.startswith(f"{g}:")), service)
            operation["bindings"] = {
                "kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": KAFKA_BINDING_VERSION}
            }


def _add_headers(doc: Document) -> None:
    """The routing fields the outbox repeats as Kafka headers, plus the W3C trace context when there is one."""
    sample = Envelope(
        event_id=UUID(int=1),
        event_type="Sample",
        schema_version=1,
        occurred_at="2025-01-01T00:00:00Z",
        producer="sample",
        tenant_id="sample",
        correlation_id=UUID(int=1),
        partition_key="sample",
        payload={},
    )
    names = sorted(envelope_headers(sample))
    properties: dict[str, Any] = {name: {"type": "string"} for name in [*names, "traceparent", "tracestate"]}
    headers = {"type": "object", "properties": properties, "required": names}
    for message in doc["components"]["messages"].values():
        message["headers"] = headers


def render(doc: Document) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generated(services: Sequence[str] = SERVICES) -> dict[str, str]:
    """Path (relative to the repository root) -> content, for every service."""
    return {str(DOCS / f"{s}.json"): render(document(s, subscriptions_of(s))) for s in services}


def differences(committed: Any, current: Any, path: str = "$") -> list[str]:
    """Where two documents differ, as JSON paths; empty when they are equal."""
    if isinstance(committed, dict) and isinstance(current, dict):
        found = [f"{path}.{k}: only in the committed document" for k in committed.keys() - current.keys()]
        found += [f"{path}.{k}: only in the code" for k in current.keys() - committed.keys()]
        for key in sorted(committed.keys() & current.keys()):
            found += differences(committed[key], current[key], f"{path}.{key}")
        return sorted(found)
    if isinstance(committed, list) and isinstance(current, list) and len(committed) == len(current):
        return [
            d
            for i, (a, b) in enumerate(zip(committed, current, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    return [] if committed == current else [f"{path}: {json.dumps(committed)[:80]} != {json.dumps(current)[:80]}"]


def stale(root: Path, services: Sequence[str] = SERVICES) -> dict[str, list[str]]:
    """Each committed document that differs from the code, with where it differs."""
    found = {}
    for path, text in generated(services).items():
        committed = json.loads((root / path).read_text()) if (root / path).exists() else {}
        if problems := differences(committed, json.loads(text)):
            found[path] = problems
    return found


def write(root: Path) -> list[str]:
    written = []
    for path, text in generated().items():
        if not (root / path).exists() or (root / path).read_text() != text:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
            written.append(path)
    return written
