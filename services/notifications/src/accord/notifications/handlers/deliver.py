"""DeliverNotification: send one due delivery (or one digest) and record what happened, exactly once in effect.

Each delivery is claimed with FOR UPDATE SKIP LOCKED, sent, and marked in the same transaction, together with its
NotificationDelivered / NotificationFailed outbox row. Several dispatchers can run; none sends a claimed row. The
one window left: the process dies after the server accepted the message and before the commit. The row is then
still pending and is sent again - at most one duplicate, with the same Message-ID (e-mail) or notification id
(push payload), so the copy is recognisable.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from uuid import UUID

import structlog

from accord.notifications.adapters.deliveries import Claimed
from accord.notifications.adapters.people import Defaults
from accord.notifications.domain import links
from accord.notifications.domain.delivery import (
    Delivery,
    DeliveryFailure,
    Outgoing,
    PermanentFailure,
    RetryPolicy,
    Sender,
    TransientFailure,
)
from accord.notifications.domain.outcomes import outcome_event
from accord.notifications.domain.templates import RenderedMessage, TemplateCode, render, resolve_locale
from accord.notifications.handlers.ports import NotificationsRepository, UnitOfWork
from accord.notifications.metrics import DELIVERIES
from accord.notifications.settings import Settings
from accord.shared.events.contracts.notifications import Channel

log = structlog.get_logger(__name__)


class Deliverer:
    def __init__(
        self,
        settings: Settings,
        uow: UnitOfWork,
        senders: Mapping[Channel, Sender],
        clock: Callable[[], datetime],
    ) -> None:
        self.settings, self.uow, self.senders, self.clock = settings, uow, senders, clock
        self.retry = RetryPolicy(
            settings.delivery_max_attempts, settings.retry_backoff_seconds, settings.retry_backoff_max_seconds
        )
        self.defaults = Defaults(settings.default_locale, settings.default_time_zone)

    async def deliver(self, delivery_id: UUID) -> None:
        now = self.clock()
        async with self.uow() as repo:
            await repo.deliveries.lock_digest_group(delivery_id)
            claimed = await repo.deliveries.claim(delivery_id, now)
            if claimed is not None:
                await self._deliver(repo, claimed, now)

    async def _deliver(self, repo: NotificationsRepository, claimed: Claimed, now: datetime) -> None:
        d, point = claimed.delivery, claimed.contact_point
        sender = self.senders.get(d.channel)
        if point is None:
            await repo.deliveries.cancel(d, "contact point removed or disabled")
            return
        prefs = await repo.people.preferences(d.tenant_id, d.recipient_id, self.defaults)
        if not d.urgent and (until := prefs.quiet_until(now)) is not None:
            await repo.deliveries.defer(d, until, "quiet hours")
            return
        batch = [d, *(await repo.deliveries.digest_companions(d, now))] if d.digest else [d]
        outgoing = Outgoing(self._message(d, prefs.locale, len(batch)), d.id, d.urgent)
        try:
            if sender is None:
                raise PermanentFailure(f"{d.channel.value} is not configured")
            await sender.send(point, outgoing)
        except DeliveryFailure as failure:
            await self._failed(repo, batch, failure, now)
        except Exception as exc:  # a bug in a sender must not leave the row to be retried in a hot loop
            log.exception("sender raised an unexpected error")
            await self._failed(repo, batch, TransientFailure(f"unexpected: {type(exc).__name__}"), now)
        else:
            for item in batch:
                await repo.deliveries.mark_sent(item, now, "digest" if item.digest else None)
                await repo.publish(outcome_event(item, now))
                DELIVERIES.labels(item.channel.value, "sent").inc()

    def _message(self, d: Delivery, locale: str, count: int) -> RenderedMessage:
        template, path = (TemplateCode.DIGEST, links.INBOX) if d.digest else (d.template, d.link_path)
        link = self.settings.app_base_url.rstrip("/") + path
        locale = resolve_locale(locale, self.settings.default_locale)  # theirs, else the service's, else English
        return render(template, locale, {"link": link, "count": count})

    async def _failed(
        self, repo: NotificationsRepository, batch: list[Delivery], failure: DeliveryFailure, now: datetime
    ) -> None:
        permanent = isinstance(failure, PermanentFailure)
        for item in batch:
            retry_at = None if permanent else self.retry.next_attempt(item.attempts + 1, now)
            if retry_at is not None:
                await repo.deliveries.retry_later(item, retry_at, failure.detail)
                DELIVERIES.labels(item.channel.value, "retrying").inc()
                continue
            await repo.deliveries.mark_failed(item, failure.detail)
            await repo.publish(outcome_event(item, now, failed=True, permanent=permanent))
            DELIVERIES.labels(item.channel.value, "failed").inc()
        gone = (
            batch[0].contact_point_id if isinstance(failure, PermanentFailure) and failure.contact_point_gone else None
        )
        if gone is not None:
            await repo.people.disable(gone, failure.detail)
            await repo.deliveries.cancel_for_contact_point(gone, "contact point disabled")
        log.warning("delivery failed", detail=failure.detail, permanent=permanent, messages=len(batch))
