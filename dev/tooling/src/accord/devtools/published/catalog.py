"""docs/events.md, the event catalogue, written from the topic registry, the committed JSON Schema snapshots,
the services' subscriptions and the Kafka ACLs. `scripts/update-event-catalog` writes it; a test compares.
"""

import json
import re
from collections.abc import Iterable
from pathlib import Path
from string import Template

from accord.devtools.published import acls
from accord.devtools.published.examples import envelope_example
from accord.devtools.published.messages import EventRegistry, events_on
from accord.devtools.published.services import consumers_of, retention
from accord.shared.events.base import IntegrationEvent
from accord.shared.events.compat import SNAPSHOTS
from accord.shared.events.registry import EVENTS, TOPICS, TopicSpec

CATALOG = Path("docs") / "events.md"
ANALYTICS_TOPIC = "accord.analytics.v1"
SNAPSHOT_LINK = "../shared/src/accord/shared/events/schemas"  # relative to docs/
GENERAL = (Path(__file__).parent / "catalog_intro.md").read_text()
ACCESS = Template((Path(__file__).parent / "catalog_access.md").read_text()).substitute(
    analytics_user=acls.ANALYTICS_USER,
    analytics_topic_prefix=acls.ANALYTICS_TOPIC_PREFIX,
    analytics_group_prefix=acls.ANALYTICS_GROUP_PREFIX,
    analytics_topic=ANALYTICS_TOPIC,
)


def versions(event_type: str, snapshots: Path = SNAPSHOTS) -> list[int]:
    pattern = re.compile(rf"^{event_type}\.v(\d+)\.json$")
    return sorted(int(m[1]) for p in snapshots.iterdir() if (m := pattern.match(p.name)))


def _list(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "none yet"


def _readers(spec: TopicSpec) -> str:
    if spec.name.startswith(acls.ANALYTICS_TOPIC_PREFIX):
        return f"analytics teams (groups `{acls.ANALYTICS_GROUP_PREFIX}*`)"
    if ".dlq." in spec.name:
        return "operators (`accord-ops dlq`)"
    return _list(consumers_of(spec.name))


def _ordering(spec: TopicSpec) -> str:
    return f"per key: events with the same {spec.key} share a partition and arrive in the order they were produced"


def topic_section(spec: TopicSpec, events: EventRegistry) -> list[str]:
    lines = [
        f"## `{spec.name}`",
        "",
        spec.description,
        "",
        f"- Produced by: `{spec.producer}`; read by: {_readers(spec)}",
        f"- Key: {spec.key}. Ordering: {_ordering(spec)}; none across keys or topics.",
        f"- Partitions: {spec.partitions}. Retention: {retention(spec)} (`retention.ms` {spec.retention_ms}).",
        "",
    ]
    body = [line for cls in events_on(spec.name, events) for line in event_section(cls, spec)]
    if spec.name != ANALYTICS_TOPIC:
        return lines + body
    note = [
        "The pseudonymised event shapes are documented here once they are defined: every event registered in",
        "`accord.shared.events.registry.EVENTS` whose topic is this one appears between these markers.",
        "Until then each message is an Envelope as described above.",
        "",
    ]
    begin = f"<!-- {ANALYTICS_TOPIC} events: begin (generated from the registry) -->"
    end = f"<!-- {ANALYTICS_TOPIC} events: end -->"
    return [*lines, begin, "", *(body or note), end, ""]


def event_section(cls: type[IntegrationEvent], spec: TopicSpec) -> list[str]:
    name = cls.event_type()
    lines = [
        f"### {name}",
        "",
        f"- Topic: `{spec.name}`; key: `payload.{cls.key_field}` (also the envelope's `partition_key`)",
        f"- Ordering: {_ordering(spec)}",
        "- Delivery: at least once; deduplicate by `event_id`",
        f"- Retention: {retention(spec)}",
        f"- Produced by: `{spec.producer}`; read by: {_readers(spec)}",
        "",
    ]
    for version in versions(name):
        snapshot = f"{name}.v{version}.json"
        schema = json.loads((SNAPSHOTS / snapshot).read_text())
        message = envelope_example(name, version, schema, cls.key_field, spec.name)
        if version == cls.schema_version:  # the example must be a valid event, not only match its snapshot
            cls.model_validate(message["payload"])
        lines += [f"#### Version {version} ([JSON Schema]({SNAPSHOT_LINK}/{snapshot}))", ""]
        lines += ["```json", json.dumps(message, indent=2), "```", ""]
    return lines


def access_section() -> list[str]:
    lines = [
        "## Access",
        "",
        ACCESS,
        "| principal | resource | name | pattern | operations |",
        "| --- | --- | --- | --- | --- |",
    ]
    for user, rules in acls.users().items():
        if not rules:
            lines.append(f"| `User:{user}` | | | | connects only: no topic or group |")
        for rule in rules:
            ops = ", ".join(rule.operations)
            lines.append(f"| `{rule.principal}` | {rule.resource} | `{rule.name}` | {rule.pattern} | {ops} |")
    return [*lines, ""]


def catalog(events: EventRegistry = EVENTS, topics: dict[str, TopicSpec] = TOPICS) -> str:
    domain = [s for s in topics.values() if ".dlq." not in s.name]
    dead = [s for s in topics.values() if ".dlq." in s.name]
    lines = [
        GENERAL,
        "| topic | producer | read by | key | partitions | retention |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in topics.values():
        lines.append(f"| `{s.name}` | `{s.producer}` | {_readers(s)} | {s.key} | {s.partitions} | {retention(s)} |")
    lines.append("")
    for spec in domain:
        lines += topic_section(spec, events)
    lines += ["## Dead-letter topics", ""]
    lines += [f"- `{s.name}`: {s.description} Retention: {retention(s)}." for s in dead]
    lines += [
        "",
        "Each holds the original message unchanged (key, value and headers) plus `dlq.*` headers: the reason, the",
        "original topic, partition and offset, the consumer group and when it failed. `accord-ops dlq replay` sends",
        "them back to their original topic after a fix, each marked `dlq.replay_of` (the dead letter it replays).",
        "A consumer group dead-letters an event once (its `dead_letter_records` table): a second copy of the same",
        "event is not sent again, while a replay is a new attempt and, if it fails again, is dead-lettered again.",
        "A crash between the send and the record can still send one twice.",
        "",
    ]
    lines += access_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write(root: Path) -> bool:
    text, path = catalog(), root / CATALOG
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True
