"""Deliveries (one row per message), their log, and claiming due ones for sending."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Delivery, DeliveryStatus
from accord.notifications.domain.templates import TemplateCode
from accord.shared.db import Connection
from accord.shared.events.contracts.notifications import Channel


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery
    contact_point: ContactPoint | None
    """None when the person removed it or it was disabled after the message was planned."""


class Deliveries:
    """The deliveries' repository, on one connection (the inbox transaction's, a request's or the dispatcher's)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, d: Delivery, status: DeliveryStatus, due_at: datetime) -> bool:
        """Inserts the delivery unless one for the same (source event, recipient, channel, contact point) exists."""
        inserted = await self.conn.fetchval(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, causation_id, client_id, "
            "recipient_id, channel, contact_point_id, template_code, link_path, urgent, digest, status, due_at, "
            "sent_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
            "ON CONFLICT ON CONSTRAINT deliveries_once DO NOTHING RETURNING true",
            d.id,
            d.tenant_id,
            d.source_event_id,
            d.correlation_id,
            d.causation_id,
            d.client_id,
            d.recipient_id,
            d.channel.value,
            d.contact_point_id,
            d.template.value,
            d.link_path,
            d.urgent,
            d.digest,
            status.value,
            due_at,
            due_at if status is DeliveryStatus.SENT else None,
        )
        if inserted:
            await self._log(d.id, "queued" if status is DeliveryStatus.PENDING else status.value)
        return bool(inserted)

    async def _log(self, delivery_id: UUID, status: str, detail: str | None = None) -> None:
        await self.conn.execute(
            "INSERT INTO delivery_log (delivery_id, status, detail) VALUES ($1, $2, $3)", delivery_id, status, detail
        )

    async def due_ids(self, now: datetime, limit: int) -> list[UUID]:
        rows = await self.conn.fetch(
            "SELECT id FROM deliveries WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2", now, limit
        )
        return [r["id"] for r in rows]

    async def lock_digest_group(self, delivery_id: UUID) -> None:
        """If the delivery is a pending digest item, waits for (and holds, until commit) the lock of its recipient's
        digest: whoever holds it sends all their due items in one message, so two dispatchers - or two tasks of one -
        never split a digest between them. Taken before the row is claimed, or each could claim a part."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('digest:' || recipient_id || ':' || contact_point_id, 0)) "
            "FROM deliveries WHERE id = $1 AND digest AND status = 'pending'",
            delivery_id,
        )

    async def claim(self, delivery_id: UUID, now: datetime) -> Claimed | None:
        """Locks a due, pending delivery for this transaction; None if it is not due, done, or another dispatcher
        holds it (SKIP LOCKED)."""
        row = await self.conn.fetchrow(
            "SELECT d.*, c.address, c.p256dh, c.auth, c.disabled_at, c.person_id AS cp_person_id "
            "FROM deliveries d LEFT JOIN contact_points c ON c.id = d.contact_point_id "
            "WHERE d.id = $1 AND d.status = 'pending' AND d.due_at <= $2 FOR UPDATE OF d SKIP LOCKED",
            delivery_id,
            now,
        )
        if row is None:
            return None
        point = None
        if row["address"] is not None and row["disabled_at"] is None:
            point = ContactPoint(
                row["contact_point_id"],
                row["cp_person_id"],
                Channel(row["channel"]),
                row["address"],
                row["p256dh"],
                row["auth"],
            )
        return Claimed(_delivery(row), point)

    async def digest_companions(self, d: Delivery, now: datetime) -> list[Delivery]:
        """The recipient's other due digest items for the same contact point: they go out in the same message."""
        rows = await self.conn.fetch(
            "SELECT * FROM deliveries WHERE recipient_id = $1 AND channel = $2 AND contact_point_id = $3 AND digest "
            "AND status = 'pending' AND due_at <= $4 AND id <> $5 ORDER BY due_at, id FOR UPDATE SKIP LOCKED",
            d.recipient_id,
            d.channel.value,
            d.contact_point_id,
            now,
            d.id,
        )
        return [_delivery(r) for r in rows]

    async def mark_sent(self, d: Delivery, now: datetime, detail: str | None = None) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL "
            "WHERE id = $1",
            d.id,
            now,
        )
        await self._log(d.id, "sent", detail)

    async def retry_later(self, d: Delivery, at: datetime, detail: str) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET attempts = attempts + 1, due_at = $2, last_error = $3 WHERE id = $1",
            d.id,
            at,
            detail,
        )
        await self._log(d.id, "retrying", detail)

    async def mark_failed(self, d: Delivery, detail: str) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1",
            d.id,
            detail,
        )
        await self._log(d.id, "failed", detail)

    async def defer(self, d: Delivery, until: datetime, detail: str) -> None:
        """Not a failed attempt: the person does not want to hear from us before `until`."""
        await self.conn.execute("UPDATE deliveries SET due_at = $2 WHERE id = $1", d.id, until)
        await self._log(d.id, "deferred", detail)

    async def cancel(self, d: Delivery, detail: str) -> None:
        await self.conn.execute("UPDATE deliveries SET status = 'cancelled' WHERE id = $1", d.id)
        await self._log(d.id, "cancelled", detail)

    async def cancel_for_contact_point(self, contact_point_id: UUID, detail: str) -> None:
        """Cancels what still waits for the contact point. Rows another dispatcher is sending right now are skipped
        (waiting for them could deadlock): they see the contact point disabled or removed, or fail on their own."""
        ids = await self.conn.fetch(
            "UPDATE deliveries SET status = 'cancelled' WHERE id IN (SELECT id FROM deliveries "
            "WHERE contact_point_id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED) RETURNING id",
            contact_point_id,
        )
        for row in ids:
            await self._log(row["id"], "cancelled", detail)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        tenant_id=row["tenant_id"],
        source_event_id=row["source_event_id"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        client_id=row["client_id"],
        recipient_id=row["recipient_id"],
        channel=Channel(row["channel"]),
        contact_point_id=row["contact_point_id"],
        template=TemplateCode(row["template_code"]),
        link_path=row["link_path"],
        urgent=row["urgent"],
        digest=row["digest"],
        attempts=row["attempts"],
    )
