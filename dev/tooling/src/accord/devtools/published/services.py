"""Who subscribes to what, read from each service's own wiring (`bootstrap.subscriptions()`).

Services are imported by name, so shared never depends on them; calling `subscriptions()` opens nothing.
"""

import importlib
from collections.abc import Sequence

from accord.shared.events.registry import DAY_MS, TOPICS, TopicSpec
from accord.shared.runtime import Subscription
from accord.shared.services import SERVICES


def subscriptions_of(service: str) -> Sequence[Subscription]:
    bootstrap = importlib.import_module(f"accord.{service}.bootstrap")
    found: Sequence[Subscription] = bootstrap.subscriptions()
    return found


def consumed_topics(service: str) -> tuple[str, ...]:
    """Every topic the service's consumer group reads, in the order its subscriptions name them."""
    topics = [topic for sub in subscriptions_of(service) for topic in sub.topics]
    return tuple(dict.fromkeys(topics))


def produced_topics(service: str) -> list[TopicSpec]:
    """The registry's topics this service writes: its domain topic(s) and its dead-letter topic."""
    return [spec for spec in TOPICS.values() if spec.producer == service]


def consumers_of(topic: str) -> list[str]:
    return [service for service in SERVICES if topic in consumed_topics(service)]


def retention(spec: TopicSpec) -> str:
    return "forever" if spec.retention_ms < 0 else f"{spec.retention_ms // DAY_MS} days"


def consumer_group(service: str) -> str:
    """The service's consumer group, named after it (accord.shared.inbox.IdempotentConsumer)."""
    return service


def consumer_groups(service: str) -> tuple[str, ...]:
    """Every consumer group the service uses: its own, and that of any subscription with a group of its own."""
    return tuple(dict.fromkeys(sub.group_id or consumer_group(service) for sub in subscriptions_of(service)))


__all__ = [
    "SERVICES",
    "consumed_topics",
    "consumer_group",
    "consumer_groups",
    "consumers_of",
    "produced_topics",
    "retention",
    "subscriptions_of",
]
