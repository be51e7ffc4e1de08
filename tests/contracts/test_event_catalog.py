"""docs/events.md is what the registry, the schema snapshots and the subscriptions say, and its examples are
valid events: against the model of the current version and the committed JSON Schema of every version."""

import json
from pathlib import Path

import jsonschema
import pytest

from accord.devtools.published import catalog
from accord.devtools.published.examples import envelope_example
from accord.devtools.published.services import consumers_of
from accord.shared.events.compat import SNAPSHOTS
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import EVENTS, TOPICS

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_catalogue_is_what_the_code_generates() -> None:
    assert (ROOT / catalog.CATALOG).read_text() == catalog.catalog(), "run scripts/update-event-catalog"


@pytest.mark.parametrize("event_type", EVENTS)
def test_every_version_of_every_event_has_a_valid_example(event_type: str) -> None:
    cls = EVENTS[event_type]
    versions = catalog.versions(event_type)
    assert cls.schema_version in versions
    for version in versions:
        schema = json.loads((SNAPSHOTS / f"{event_type}.v{version}.json").read_text())
        first = envelope_example(event_type, version, schema, cls.key_field, cls.topic)
        assert envelope_example(event_type, version, schema, cls.key_field, cls.topic) == first  # deterministic
        jsonschema.validate(first["payload"], schema)
        envelope = Envelope.model_validate(first)
        assert envelope.partition_key == str(first["payload"][cls.key_field])
        if version == cls.schema_version:
            assert envelope.open() == cls.model_validate(first["payload"])


def test_each_event_says_where_it_travels_and_who_reads_it() -> None:
    text = catalog.catalog()
    section = text.split("### ProgressRecorded\n", 1)[1].split("\n### ", 1)[0]
    assert "- Topic: `accord.progress.v1`; key: `payload.client_id`" in section
    assert "- Delivery: at least once; deduplicate by `event_id`" in section
    assert "- Retention: forever" in section
    readers = ", ".join(f"`{s}`" for s in consumers_of("accord.progress.v1"))
    assert f"- Produced by: `progress`; read by: {readers}" in section
    assert "#### Version 1" in section and '"event_type": "ProgressRecorded"' in section
    assert all(f"## `{name}`" in text or f"- `{name}`" in text for name in TOPICS)
    assert all(f"### {name}\n" in text for name in EVENTS)


def test_analytics_events_appear_in_their_marked_section_once_registered() -> None:
    begin, end = f"<!-- {catalog.ANALYTICS_TOPIC} events: begin", f"<!-- {catalog.ANALYTICS_TOPIC} events: end -->"
    domain_only = {name: cls for name, cls in EVENTS.items() if cls.topic != catalog.ANALYTICS_TOPIC}
    marked = catalog.catalog(events=domain_only).split(begin, 1)[1].split(end, 1)[0]
    assert "documented here once they are defined" in marked
    marked = catalog.catalog().split(begin, 1)[1].split(end, 1)[0]
    analytics = set(EVENTS) - set(domain_only)
    assert analytics and all(f"### {name}\n" in marked for name in analytics)
    assert "once they are defined" not in marked
    assert "- Retention: 400 days" in marked
