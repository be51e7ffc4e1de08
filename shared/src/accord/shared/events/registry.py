"""The one place that says which topics exist, how they are configured, and which events go where.

Topics are created from here (never by broker auto-create), the Kubernetes KafkaTopic resources are generated
from here, and the event catalogue is written from here.
"""

from dataclasses import dataclass

from accord.shared.events.base import IntegrationEvent
from accord.shared.events.contracts import analytics, goals, notifications, progress, reporting
from accord.shared.events.retention import ANALYTICS_DAYS, DEAD_LETTER_DAYS
from accord.shared.services import SERVICES

FOREVER = -1
EPISODE_KEYS_TOPIC = "accord.episode-keys.v1"
DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    producer: str
    partitions: int
    retention_ms: int
    cleanup_policy: str = "delete"
    key: str = "client_id"
    description: str = ""

    extra_config: tuple[tuple[str, str], ...] = ()

    def config(self) -> dict[str, str]:
        config = {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}
        return {**config, **dict(self.extra_config)}


# The goals and progress topics keep every event forever: they carry the clinical record, and the reporting service
# rebuilds its projections from offset 0. Their events about an episode are sealed under the episode's own data key
# (`events/sealing.py`), which every service destroys when the episode's clinical retention period is over, so what
# is left of an expired episode on these topics can no longer be read (`events/retention.py`). The keys travel on
# their own compacted topic, read only by the services that open sealed events (never the analytics principal): the
# goals service publishes a tombstone for each key it destroys. Every other topic keeps its events no longer than
# the retention schedule of what they carry allows (`events/retention.py`, docs/privacy.md).
_DOMAIN = [
    TopicSpec(
        "accord.goals.v1",
        "goals",
        12,
        FOREVER,
        description="Care episodes, participants and the agreement lifecycle of goals.",
    ),
    TopicSpec(
        "accord.progress.v1",
        "progress",
        12,
        FOREVER,
        description="Entries, questionnaire scores and decisions (milestones, targets, reviews, safety).",
    ),
    TopicSpec(
        EPISODE_KEYS_TOPIC,
        "goals",
        6,
        FOREVER,
        cleanup_policy="compact",
        key="episode_id",
        description="Each open episode's data key, which seals its events on the goals and progress topics.",
        # A tombstone (the key destroyed) makes the key's record eligible for compaction once the dirty segment is
        # rolled (segment.ms) and compacted; the tombstone itself is removed delete.retention.ms after that.
        extra_config=(
            ("segment.ms", str(DAY_MS)),
            ("min.compaction.lag.ms", "0"),
            ("max.compaction.lag.ms", str(DAY_MS)),
            ("delete.retention.ms", str(DAY_MS)),
        ),
    ),
    TopicSpec(
        "accord.notifications.v1",
        "notifications",
        6,
        90 * DAY_MS,  # as the delivery records the outcomes are about (ACCORD_NOTIFICATIONS_RETENTION_DELIVERIES_DAYS)
        key="recipient's client_id",
        description="Delivery outcomes of notifications, identifiers only.",
    ),
    TopicSpec(
        "accord.reporting.v1",
        "reporting",
        6,
        FOREVER,
        description="The reporting service's facts about clients (its parts of subject access exports stored).",
    ),
    TopicSpec(
        "accord.analytics.v1",
        "reporting",
        12,
        ANALYTICS_DAYS * DAY_MS,
        key="client pseudonym",
        description="Pseudonymised stream for analytics teams.",
    ),
]


def dead_letter_topic(service: str) -> str:
    return f"accord.{service}.dlq.v1"


# One dead-letter topic per consuming service; kept long enough to investigate and replay after a fix.
_DEAD_LETTERS = [
    TopicSpec(
        dead_letter_topic(s),
        s,
        1,
        DEAD_LETTER_DAYS * DAY_MS,
        key="original key",
        description=f"Events the {s} service could not handle, with the reason.",
    )
    for s in SERVICES
]

TOPICS: dict[str, TopicSpec] = {t.name: t for t in [*_DOMAIN, *_DEAD_LETTERS]}


def _subclasses(base: type[IntegrationEvent]) -> list[type[IntegrationEvent]]:
    return [cls for cls in base.__subclasses__() if cls.__module__ == base.__module__]


EVENTS: dict[str, type[IntegrationEvent]] = {
    cls.event_type(): cls
    for base in (
        goals.GoalsEvent,
        goals.EpisodeKeysEvent,
        progress.ProgressEvent,
        notifications.NotificationsEvent,
        reporting.ReportingEvent,
        analytics.AnalyticsEvent,
    )
    for cls in _subclasses(base)
}


def event_class(event_type: str) -> type[IntegrationEvent]:
    try:
        return EVENTS[event_type]
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}") from None


def topic_for(event_type: str) -> str:
    return event_class(event_type).topic
