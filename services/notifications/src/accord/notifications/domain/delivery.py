"""What can happen to one message on its way out, and how long to wait before trying again."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.templates import RenderedMessage, TemplateCode
from accord.shared.events.contracts.notifications import Channel


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient through one channel (and contact point), caused by one source event."""

    id: UUID
    tenant_id: str
    source_event_id: UUID
    correlation_id: UUID
    causation_id: UUID | None
    client_id: UUID
    """The client the message is about: the key of the NotificationDelivered/Failed events."""
    recipient_id: UUID
    channel: Channel
    contact_point_id: UUID | None
    template: TemplateCode
    link_path: str
    urgent: bool
    digest: bool
    attempts: int = 0


class DeliveryFailure(Exception):
    """A send did not succeed. `detail` names the cause (an SMTP code, an HTTP status), never the content."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TransientFailure(DeliveryFailure):
    """The server may accept it later: connection refused, timeout, 4xx from SMTP, 429 or 5xx from push."""


class PermanentFailure(DeliveryFailure):
    """Retrying cannot help. `contact_point_gone`: the address or subscription no longer exists (SMTP 5xx on the
    recipient, push 404/410), so it is disabled and nothing more is sent to it."""

    def __init__(self, detail: str, *, contact_point_gone: bool = False) -> None:
        super().__init__(detail)
        self.contact_point_gone = contact_point_gone


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """After `attempts` failed tries: when to try again (exponential, capped), or None to give up."""
        if attempts >= self.max_attempts:
            return None
        delay = min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (attempts - 1))
        return now + timedelta(seconds=delay)


@dataclass(frozen=True)
class Outgoing:
    message: RenderedMessage
    message_id: UUID
    """Deterministic (the delivery's id): a message sent twice after a crash can be recognised as one."""
    urgent: bool = False


class Sender(Protocol):
    """Sends through one channel; raises TransientFailure or PermanentFailure, nothing else."""

    async def send(self, to: ContactPoint, outgoing: Outgoing) -> None: ...
