"""No Kafka topic keeps an event longer than the retention schedule of what the event carries allows
(docs/privacy.md, "Kafka topics"). The schedules are the services' settings as shipped (their defaults)."""

from accord.notifications.settings import Settings as NotificationsSettings
from accord.shared.events.registry import DAY_MS, EVENTS, FOREVER, TOPICS, dead_letter_topic
from accord.shared.events.retention import ANALYTICS_DAYS, TOPIC_KINDS, CarriedKind, kind_of
from accord.shared.services import SERVICES


def _default_days(field: str) -> int:
    default = NotificationsSettings.model_fields[field].default
    assert isinstance(default, int)
    return default


def allowed_days(kind: CarriedKind) -> float:
    """How long the schedule lets records of `kind` be kept (infinite: no schedule removes them)."""
    return {
        # The clinical record's period runs from each episode's closing (years), which a topic's time-based retention
        # cannot follow, and reporting rebuilds from these topics: they keep the events, sealed under each episode's
        # key, which is destroyed when the period is over (events/sealing.py; tested by the end-to-end tests).
        CarriedKind.CLINICAL_RECORD: float("inf"),
        # Kept while its episode's record is; compaction removes it after the tombstone of its expiry.
        CarriedKind.EPISODE_KEY: float("inf"),
        CarriedKind.EXPORT_REQUEST: float("inf"),
        CarriedKind.NOTIFICATION_DELIVERIES: float(_default_days("retention_deliveries_days")),
        CarriedKind.ANALYTICS: float(ANALYTICS_DAYS),
    }[kind]


def kept_days(topic: str) -> float:
    retention_ms = TOPICS[topic].retention_ms
    return float("inf") if retention_ms == FOREVER else retention_ms / DAY_MS


def test_every_domain_topic_says_what_its_events_carry() -> None:
    assert {cls.topic for cls in EVENTS.values()} <= set(TOPIC_KINDS)


def test_no_topic_keeps_an_event_longer_than_the_schedule_of_what_it_carries_allows() -> None:
    too_long = {
        (event_type, cls.topic): (kept_days(cls.topic), allowed_days(kind_of(event_type, cls.topic)))
        for event_type, cls in EVENTS.items()
        if kept_days(cls.topic) > allowed_days(kind_of(event_type, cls.topic))
    }
    assert too_long == {}


def test_a_dead_letter_topic_keeps_nothing_longer_than_any_event_it_may_hold_allows() -> None:
    # A service's dead letters may be any event it consumes: bounded by the shortest schedule of them all.
    shortest = min(
        allowed_days(kind_of(e, cls.topic)) for e, cls in EVENTS.items() if cls.topic != "accord.analytics.v1"
    )
    assert {s: kept_days(dead_letter_topic(s)) for s in SERVICES if kept_days(dead_letter_topic(s)) > shortest} == {}


def test_delivery_outcomes_leave_the_topic_when_their_delivery_records_leave_the_database() -> None:
    assert kept_days("accord.notifications.v1") == _default_days("retention_deliveries_days")


def test_each_service_forgets_what_it_dead_lettered_when_its_dead_letter_topic_drops_the_message() -> None:
    # Kept no longer (a record of what the topic no longer holds), and no shorter (a republished copy of an event
    # still on the topic would be dead-lettered twice).
    assert {kept_days(dead_letter_topic(s)) for s in SERVICES} == {
        float(_default_days("retention_dead_letter_records_days"))
    }


def test_the_episode_keys_leave_their_topic_by_compaction_within_days_of_their_tombstone() -> None:
    spec = TOPICS["accord.episode-keys.v1"]
    config = spec.config()
    assert config["cleanup.policy"] == "compact" and spec.key == "episode_id"
    assert int(config["max.compaction.lag.ms"]) <= DAY_MS and int(config["delete.retention.ms"]) <= DAY_MS
