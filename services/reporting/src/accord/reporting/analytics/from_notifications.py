"""What the analytics stream keeps of each notifications event (accord.notifications.v1): outcomes, no contacts."""

from typing import Any

from accord.reporting.analytics.pseudonyms import Pseudonyms
from accord.shared.events.contracts import analytics as a
from accord.shared.events.contracts import notifications as n


def _outcome(e: n.NotificationDelivered | n.NotificationFailed, p: Pseudonyms) -> dict[str, Any]:
    """What a delivery and a failure both keep: which notification, to whom (a pseudonym), how, which template."""
    return {
        **p.about(e.client_id),
        "notification_pseudonym": p.record(e.notification_id),
        "source_event_id": p.event_id(e.source_event_id),
        "recipient_pseudonym": p.person(e.recipient_id),
        "channel": e.channel,
        "template_code": e.template_code,
    }


def notification_delivered(e: n.NotificationDelivered, p: Pseudonyms) -> a.AnalyticsNotificationDelivered:
    return a.AnalyticsNotificationDelivered(**_outcome(e, p), delivered_on=e.delivered_at.date())


def notification_failed(e: n.NotificationFailed, p: Pseudonyms) -> a.AnalyticsNotificationFailed:
    return a.AnalyticsNotificationFailed(**_outcome(e, p), permanent=e.permanent, failed_on=e.failed_at.date())
