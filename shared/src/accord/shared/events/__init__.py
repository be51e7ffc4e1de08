"""Integration events: the envelope, the contracts of every event, the topic registry and schema checks."""

from accord.shared.events.base import IntegrationEvent
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import EVENTS, TOPICS, TopicSpec, event_class, topic_for

__all__ = ["EVENTS", "TOPICS", "Envelope", "IntegrationEvent", "TopicSpec", "event_class", "topic_for"]
