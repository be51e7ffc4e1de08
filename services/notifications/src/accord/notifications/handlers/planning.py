"""Turns notices into messages, inside the transaction of the event that caused them.

The in-app inbox item is delivered right here (it is a row, and it makes no sound). E-mail and push become pending
deliveries that the dispatcher sends; their unique key (source event, recipient, channel, contact point) is what
makes a redelivered or replayed event unable to double a message.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from accord.notifications.adapters.people import Defaults
from accord.notifications.domain.audience import Notice
from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Delivery, DeliveryStatus
from accord.notifications.domain.outcomes import outcome_event
from accord.notifications.domain.preferences import ClinicianDelivery, Preferences
from accord.notifications.handlers.ports import NotificationsRepository
from accord.notifications.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.notifications import Channel


@dataclass(frozen=True)
class Source:
    """What caused the notices: an event, or a check-in that came due (with an id standing in for an event)."""

    event_id: UUID
    tenant_id: str
    client_id: UUID
    correlation_id: UUID
    causation_id: UUID | None
    link_path: str

    @classmethod
    def of(cls, envelope: Envelope, client_id: UUID, link_path: str) -> "Source":
        return cls(
            envelope.event_id, envelope.tenant_id, client_id, envelope.correlation_id, envelope.event_id, link_path
        )


class Planner:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings, self.clock = settings, clock
        self.defaults = Defaults(settings.default_locale, settings.default_time_zone)

    async def notify(
        self, repo: NotificationsRepository, source: Source, notices: Sequence[Notice], now: datetime | None = None
    ) -> None:
        now = now or self.clock()
        for notice in notices:
            prefs = await repo.people.preferences(source.tenant_id, notice.recipient_id, self.defaults)
            await self._in_app(repo, source, notice, now)
            for point in await repo.people.active_contact_points(source.tenant_id, notice.recipient_id):
                if self._wanted(notice, prefs, point):
                    await self._queue(repo, source, notice, prefs, point, now)

    async def _in_app(self, repo: NotificationsRepository, source: Source, notice: Notice, now: datetime) -> None:
        d = self._delivery(source, notice, Channel.IN_APP, None, digest=False)
        if await repo.deliveries.add(d, DeliveryStatus.SENT, now):
            await repo.in_app_messages.add(d)
            await repo.publish(outcome_event(d, now))

    async def _queue(
        self,
        repo: NotificationsRepository,
        source: Source,
        notice: Notice,
        prefs: Preferences,
        point: ContactPoint,
        now: datetime,
    ) -> None:
        digest = notice.digestible and not notice.urgent and prefs.clinician_delivery is ClinicianDelivery.DIGEST
        due = prefs.next_digest(now, self.settings.digest_hour) if digest else now
        d = self._delivery(source, notice, point.channel, point.id, digest=digest)
        await repo.deliveries.add(d, DeliveryStatus.PENDING, due)

    def _wanted(self, notice: Notice, prefs: Preferences, point: ContactPoint) -> bool:
        """Urgent notices go through every channel the person has, whatever they chose for everyday ones."""
        configured = self.settings.push_enabled if point.channel is Channel.PUSH else self.settings.email_enabled
        return configured and (notice.urgent or point.channel in prefs.channels)

    @staticmethod
    def _delivery(source: Source, notice: Notice, channel: Channel, point_id: UUID | None, *, digest: bool) -> Delivery:
        return Delivery(
            id=uuid4(),
            tenant_id=source.tenant_id,
            source_event_id=source.event_id,
            correlation_id=source.correlation_id,
            causation_id=source.causation_id,
            client_id=source.client_id,
            recipient_id=notice.recipient_id,
            channel=channel,
            contact_point_id=point_id,
            template=notice.template,
            link_path=source.link_path,
            urgent=notice.urgent,
            digest=digest,
        )
