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
    episode closed), but the topics keep its events for ever: the reporting service rebuilds its projections from
    offset 0, and removes an expired episode's rows again at the end of each rebuild (`expired_episodes`). So the
    events of an expired episode (ids and structured values; no free text: notes, journals and comments never go
    into an event) outlive its records on the topic. What would close it: compacting the topics by a per-episode
    key with a tombstone, or encrypting each episode's events under a key destroyed at expiry (crypto-shredding,
    as the analytics stream does per person)."""
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
