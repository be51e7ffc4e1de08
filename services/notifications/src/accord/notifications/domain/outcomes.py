"""The events announcing what became of a delivery, for engagement analytics."""

from datetime import datetime
from uuid import UUID, uuid5

from accord.notifications.domain.delivery import Delivery
from accord.shared.events import Envelope
from accord.shared.events.contracts.notifications import NotificationDelivered, NotificationFailed

OUTCOME_NAMESPACE = UUID("0c7d3a52-5f0e-4d8e-9a51-3b9e2f6d7c10")
PRODUCER = "notifications"


def outcome_event(d: Delivery, at: datetime, *, failed: bool = False, permanent: bool = False) -> Envelope:
    """NotificationDelivered / NotificationFailed for engagement analytics: identifiers only. The event id is
    derived from the delivery, so one delivery can never announce the same outcome twice."""
    common = {
        "client_id": d.client_id,
        "notification_id": d.id,
        "source_event_id": d.source_event_id,
        "recipient_id": d.recipient_id,
        "channel": d.channel,
        "template_code": d.template.value,
    }
    if failed:
        event: NotificationDelivered | NotificationFailed = NotificationFailed(
            **common, permanent=permanent, failed_at=at
        )
    else:
        event = NotificationDelivered(**common, delivered_at=at)
    return Envelope.wrap(
        event,
        producer=PRODUCER,
        tenant_id=d.tenant_id,
        correlation_id=d.correlation_id,
        causation_id=d.causation_id,
        event_id=uuid5(OUTCOME_NAMESPACE, f"{d.id}:{event.event_type()}"),
    )
