"""Each person's preferences and contact points, as they registered them through the API."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.preferences import ClinicianDelivery, Preferences, QuietHours
from accord.shared.db import Connection
from accord.shared.events.contracts.notifications import Channel


@dataclass(frozen=True)
class Defaults:
    locale: str
    time_zone: str

    def preferences(self) -> Preferences:
        return Preferences(self.locale, self.time_zone)


@dataclass(frozen=True)
class StoredContactPoint:
    point: ContactPoint
    created_at: datetime
    active: bool


class People:
    """Preferences and contact points, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def preferences(self, tenant_id: str, person_id: UUID, defaults: Defaults) -> Preferences:
        row = await self.conn.fetchrow(
            "SELECT * FROM preferences WHERE tenant_id = $1 AND person_id = $2", tenant_id, person_id
        )
        if row is None:
            return defaults.preferences()
        quiet = QuietHours(row["quiet_start"], row["quiet_end"]) if row["quiet_start"] is not None else None
        return Preferences(
            locale=row["locale"],
            time_zone=row["time_zone"],
            channels=frozenset(Channel(c) for c in row["channels"]),
            quiet_hours=quiet,
            clinician_delivery=ClinicianDelivery(row["clinician_delivery"]),
        )

    async def save_preferences(self, tenant_id: str, person_id: UUID, prefs: Preferences) -> None:
        quiet = prefs.quiet_hours
        await self.conn.execute(
            "INSERT INTO preferences (tenant_id, person_id, locale, time_zone, channels, quiet_start, quiet_end, "
            "clinician_delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, person_id) DO UPDATE "
            "SET locale = $3, time_zone = $4, channels = $5, quiet_start = $6, quiet_end = $7, "
            "clinician_delivery = $8, updated_at = now()",
            tenant_id,
            person_id,
            prefs.locale,
            prefs.time_zone,
            sorted(c.value for c in prefs.channels),
            quiet.start if quiet else None,
            quiet.end if quiet else None,
            prefs.clinician_delivery.value,
        )

    async def active_contact_points(self, tenant_id: str, person_id: UUID) -> list[ContactPoint]:
        rows = await self.conn.fetch(
            "SELECT * FROM contact_points WHERE tenant_id = $1 AND person_id = $2 AND disabled_at IS NULL "
            "ORDER BY created_at, id",
            tenant_id,
            person_id,
        )
        return [_point(r) for r in rows]

    async def register(
        self,
        tenant_id: str,
        person_id: UUID,
        channel: Channel,
        address: str,
        keys: tuple[str, str] | None = None,
    ) -> StoredContactPoint:
        """Adds a contact point, or re-enables (and refreshes the keys of) the same one registered before."""
        p256dh, auth = keys or (None, None)
        row = await self.conn.fetchrow(
            "INSERT INTO contact_points (id, tenant_id, person_id, channel, address, p256dh, auth) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, person_id, channel, address) DO UPDATE "
            "SET p256dh = $6, auth = $7, disabled_at = NULL, disabled_reason = NULL RETURNING *",
            uuid4(),
            tenant_id,
            person_id,
            channel.value,
            address,
            p256dh,
            auth,
        )
        assert row is not None
        return _stored(row)

    async def contact_points_page(
        self, tenant_id: str, person_id: UUID, channel: Channel, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[StoredContactPoint]:
        after_at, after_id = after or (None, None)
        rows = await self.conn.fetch(
            "SELECT * FROM contact_points WHERE tenant_id = $1 AND person_id = $2 AND channel = $3 "
            "AND ($4::timestamptz IS NULL OR (created_at, id) > ($4, $5)) ORDER BY created_at, id LIMIT $6",
            tenant_id,
            person_id,
            channel.value,
            after_at,
            after_id,
            limit,
        )
        return [_stored(r) for r in rows]

    async def remove(self, tenant_id: str, person_id: UUID, channel: Channel, point_id: UUID) -> bool:
        """Forgets the address; messages still waiting for it are cancelled. False if it is not this person's."""
        deleted = await self.conn.fetchval(
            "DELETE FROM contact_points WHERE id = $1 AND tenant_id = $2 AND person_id = $3 AND channel = $4 "
            "RETURNING true",
            point_id,
            tenant_id,
            person_id,
            channel.value,
        )
        return bool(deleted)

    async def disable(self, point_id: UUID, reason: str) -> None:
        await self.conn.execute(
            "UPDATE contact_points SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL",
            point_id,
            reason,
        )


def _point(row: Any) -> ContactPoint:
    return ContactPoint(
        row["id"], row["person_id"], Channel(row["channel"]), row["address"], row["p256dh"], row["auth"]
    )


def _stored(row: Any) -> StoredContactPoint:
    return StoredContactPoint(_point(row), row["created_at"], row["disabled_at"] is None)
