"""Deterministic example messages, made from an event's JSON Schema snapshot, for the event catalogue.

Built from the schema rather than the model so that every committed version gets one, old ones included.
Identifiers and pseudonyms are derived from the field name, so `client_id` is the same client in every example, and
other strings that must match a pattern take a sample named after their field: a new one needs an entry below.
"""

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from accord.shared.events.contracts.analytics import PSEUDONYM_PATTERN
from accord.shared.events.registry import TOPICS, TopicSpec

Schema = dict[str, Any]

INSTANT = "2025-03-14T09:30:00Z"
INSTANT_AS_DATE = "2025-03-14T00:00:00Z"  # the analytics stream keeps the date of an instant only
DAY = "2025-06-30"
TENANT = "tenant-a"

# Readable values a reader recognises; numbers are kept within each field's own bounds.
SAMPLES: dict[str, Any] = {
    "category_code": "social_confidence",
    "unit_code": "panic_attacks",
    "relationship_code": "parent",
    "template_code": "milestone_reached",
    "key_period": "2025-01-01",
    "wrapping_key_id": "2026-11",
    # 40 bytes, base64: an example, no real key
    "wrapped_key": "YSBzYW1wbGUgd3JhcHBlZCBrZXksIG5vIHJlYWwgb25lISEhISEhIQ==",
    "baseline": 3,
    "target": 8,
    "value": 5,
    "threshold": 5,
    "minimum": 0,
    "maximum": 10,
    "rating": 6,
    "total": 11,
    "period_days": 7,
    "review_interval_days": 28,
}


def sample_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"https://accord.example/{name}")


def example(schema: Schema, name: str = "", defs: Schema | None = None) -> Any:
    defs = schema.get("$defs", {}) if defs is None else defs
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "examples" in schema:  # the contract's own example, where a generated one would not be valid (a keyed map)
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:  # an optional value: show it set, with the first type that is not null
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"), name, defs)
    kind = schema.get("type")
    if kind == "object":
        return {field: example(sub, field, defs) for field, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema.get("items", {}), name, defs)]
    if kind in ("integer", "number"):
        return _number(schema, name, kind)
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(schema, name)
    raise ValueError(f"{name or 'schema'}: no example for {schema}")


def _number(schema: Schema, name: str, kind: str) -> int | float:
    value = SAMPLES.get(name, 1)
    value = max(value, schema.get("minimum", value))
    value = min(value, schema.get("maximum", value))
    return int(value) if kind == "integer" else float(value)


def _string(schema: Schema, name: str) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(sample_id(name))
    if fmt == "date-time":
        return INSTANT
    if fmt == "date":
        return str(SAMPLES.get(name, DAY))
    if schema.get("pattern") == PSEUDONYM_PATTERN:  # like a uuid: derived from the field name
        return sample_id(name).hex
    if name in SAMPLES:
        return str(SAMPLES[name])
    if "pattern" in schema:
        raise ValueError(f"{name}: a patterned string needs a sample in accord.devtools.published.examples.SAMPLES")
    return "example"


def envelope_example(event_type: str, version: int, payload_schema: Schema, key_field: str, topic: str) -> Any:
    """The whole message as it travels: the envelope with the example payload inside."""
    payload = example(payload_schema)
    event_id = str(sample_id(f"event/{event_type}/v{version}"))
    spec: TopicSpec = TOPICS[topic]
    return {
        "event_id": event_id,
        "event_type": event_type,
        "schema_version": version,
        "occurred_at": INSTANT_AS_DATE if topic.startswith("accord.analytics.") else INSTANT,
        "producer": spec.producer,
        "tenant_id": TENANT,
        "correlation_id": event_id,
        "causation_id": None,
        "partition_key": str(payload[key_field]),
        "payload": payload,
    }
