"""The message on each topic, as a JSON Schema-able type: an Envelope whose `payload` is typed per event.

An Envelope carries any event as a dict; here each registered event gets its own envelope model
(`GoalAgreedEnvelope`: event_type "GoalAgreed", schema_version 1, payload a GoalAgreed), and a topic's message
is the union of those, told apart by `event_type`.
"""

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import Field, create_model

from accord.shared.events.base import IntegrationEvent
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import EVENTS

EventRegistry = Mapping[str, type[IntegrationEvent]]


def events_on(topic: str, events: EventRegistry = EVENTS) -> list[type[IntegrationEvent]]:
    return [cls for cls in events.values() if cls.topic == topic]


def envelope_of(cls: type[IntegrationEvent]) -> type[Envelope]:
    name = cls.event_type()
    fields: dict[str, Any] = {
        "event_type": (Literal[name], ...),
        "schema_version": (Literal[cls.schema_version], ...),
        "payload": (cls, ...),
    }
    return create_model(
        f"{name}Envelope",
        __base__=Envelope,
        __doc__=f"A {name} event (schema version {cls.schema_version}) in its envelope.",
        **fields,
    )


def message_type(topic: str, events: EventRegistry = EVENTS) -> Any:
    """What a message on `topic` is: one event's envelope, a union of them, or a plain Envelope while the
    topic has no registered event (the analytics topic until its events are defined)."""
    models = [envelope_of(cls) for cls in events_on(topic, events)]
    if not models:
        return Envelope
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator="event_type")]  # noqa: UP007 (built at runtime)
