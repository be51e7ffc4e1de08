"""What the analytics stream keeps of each notifications event (accord.notifications.v1): outcomes, no contacts."""

from accord.reporting.analytics.pseudonyms import Pseudonyms
from accord.shared.events.contracts import analytics as a
from accord.shared.events.contracts import notifications as n


def notification_delivered(e: n.NotificationDelivered, p: Pseudonyms) -> a.AnalyticsNotificationDelivered:
    return a.AnalyticsNotificationDelivered(
        **p.about(e.client_id),
        notification_pseudonym=p.record(e.notification_id),
        source_event_id=p.event_id(e.source_event_id),
        recipient_pseudonym=p.person(e.recipient_id),
        channel=e.channel,
        template_code=e.template_code,
        delivered_on=e.delivered_at.date(),
    )


def notification_failed(e: n.NotificationFailed, p: Pseudonyms) -> a.AnalyticsNotificationFailed:
    return a.AnalyticsNotificationFailed(
        **p.about(e.client_id),
        notification_pseudonym=p.record(e.notification_id),
        source_event_id=p.event_id(e.source_event_id),
        recipient_pseudonym=p.person(e.recipient_id),
        channel=e.channel,
        template_code=e.template_code,
        permanent=e.permanent,
        failed_on=e.failed_at.date(),
    )
