"""The contract rules every event is held to, checked over the whole registry."""

from typing import Any

import pytest

from accord.shared.events import EVENTS, TOPICS
from accord.shared.events.compat import load_snapshot, schema_of


def _string_fields(schema: dict[str, Any], defs: dict[str, Any], path: str = "") -> list[tuple[str, Any]]:
    if "$ref" in schema:
        return _string_fields(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, path)
    found = []
    for name, sub in schema.get("properties", {}).items():
        found += _string_fields(sub, defs, f"{path}.{name}" if path else name)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            found += _string_fields(sub, defs, path)
    if "items" in schema:
        found += _string_fields(schema["items"], defs, path + "[]")
    if schema.get("type") == "string":
        found.append((path, schema))
    return found


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_no_event_has_a_free_text_field(event_type: str) -> None:
    """Identifiers and structured values only: every string is an id, a date, an enum or a short code."""
    schema = schema_of(EVENTS[event_type])
    for path, field in _string_fields(schema, schema.get("$defs", {})):
        structured = (
            field.get("format") in {"uuid", "date", "date-time", "duration"}
            or "enum" in field
            or "const" in field
            or ("pattern" in field and field.get("maxLength", 10_000) <= 60)
        )
        assert structured, f"{event_type}.{path} is free text: {field}"


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_every_event_goes_to_a_registered_topic_with_a_snapshot(event_type: str) -> None:
    cls = EVENTS[event_type]
    assert cls.topic in TOPICS
    assert cls.key_field in cls.model_fields, f"{event_type} has no {cls.key_field} to key its messages by"
    snapshot = load_snapshot(cls)
    assert snapshot is not None, f"no snapshot for {event_type}: run scripts/update-event-schemas"
    assert snapshot == schema_of(cls), (
        f"{event_type} changed without its snapshot: run scripts/update-event-schemas (it refuses breaking changes)"
    )


def test_event_type_names_are_past_tense_facts() -> None:
    for event_type in EVENTS:
        assert event_type.endswith(("ed", "Left", "Held", "Given"))  # irregular past participles too, event_type
