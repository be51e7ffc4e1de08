"""What each event on a topic is a copy of, for retention: a topic may keep an event no longer than the retention
schedule of the records it carries allows (docs/privacy.md, "Kafka topics"; checked by tests/test_topic_retention.py).

An event belongs to a kind by its topic, unless it is named in `EVENT_KINDS`; a dead-letter topic may hold any event
its service consumes, so it is bounded by every kind but the analytics stream's.
"""

from enum import StrEnum


class CarriedKind(StrEnum):
    CLINICAL_RECORD = "clinical_record"
    """Episodes, goals, progress, questionnaires, decisions: the clinical record. The services remove an episode's
    records once its clinical retention period is over (`EpisodeRecordsExpired`, per tenant, years after the
    episode closed), while the topics keep its events for ever: the reporting service rebuilds its projections
    from offset 0. Crypto-shredding bounds them by the record: every event about an episode is sealed under the
    episode's own data key (`events/sealing.py`), and every copy of that key is destroyed in the transactions that
    expire the episode, so what is left of an expired episode's events (ids and structured values; no free text
    ever goes into an event) can no longer be read, and a rebuild passes over it. Plaintext stay only the events
    not about an episode (ids and times of exports, erasure, restriction and expiry: `sealing.PLAINTEXT_EVENTS`)
    and a questionnaire completed outside any episode."""
    EPISODE_KEY = "episode_key"
    """An open episode's data key: compacted by episode id, the goals service publishing a tombstone when it
    destroys the key, so the key leaves the topic within the compaction bound of `registry.EPISODE_KEYS_TOPIC`."""
    NOTIFICATION_DELIVERIES = "notification_deliveries"
    """Outcomes of notifications (identifiers only): bounded by the notifications service's delivery records
    (`ACCORD_NOTIFICATIONS_RETENTION_DELIVERIES_DAYS`)."""
    EXPORT_REQUEST = "export_request"
    """Ids and a record count of a subject access export: what the goals service's `exports` record keeps with its
    audit trail (never the exported data itself, which stays in each service's `export_parts`)."""
    ANALYTICS = "analytics"
    """The pseudonymised analytics stream: the stream is the record, kept `ANALYTICS_DAYS`."""


ANALYTICS_DAYS = 400
DEAD_LETTER_DAYS = 90
"""How long a dead-letter topic keeps what could not be handled, to investigate and replay after a fix; each service
keeps its record of what it dead-lettered as long (`retention_dead_letter_records_days`)."""

TOPIC_KINDS: dict[str, CarriedKind] = {
    "accord.goals.v1": CarriedKind.CLINICAL_RECORD,
    "accord.episode-keys.v1": CarriedKind.EPISODE_KEY,
    "accord.progress.v1": CarriedKind.CLINICAL_RECORD,
    "accord.notifications.v1": CarriedKind.NOTIFICATION_DELIVERIES,
    "accord.reporting.v1": CarriedKind.EXPORT_REQUEST,
    "accord.analytics.v1": CarriedKind.ANALYTICS,
}

EVENT_KINDS: dict[str, CarriedKind] = {
    "ExportRequested": CarriedKind.EXPORT_REQUEST,
    "ProgressExportPartStored": CarriedKind.EXPORT_REQUEST,
    "NotificationsExportPartStored": CarriedKind.EXPORT_REQUEST,
    "ReportingExportPartStored": CarriedKind.EXPORT_REQUEST,
}


def kind_of(event_type: str, topic: str) -> CarriedKind:
    return EVENT_KINDS.get(event_type) or TOPIC_KINDS[topic]
