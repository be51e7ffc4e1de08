"""Confirmation links of e-mail addresses: the hash of each token, when it expires, whether it was used."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from accord.shared.db import Connection


@dataclass(frozen=True)
class StoredConfirmation:
    contact_point_id: UUID
    person_id: UUID
    tenant_id: str
    expires_at: datetime
    used_at: datetime | None


class EmailConfirmations:
    """Confirmation links, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def issue(self, contact_point_id: UUID, token_sha256: bytes, expires_at: datetime) -> None:
        """A new link for the address; links sent before for it stop working (only the newest e-mail is the one)."""
        await self.conn.execute(
            "DELETE FROM email_confirmations WHERE contact_point_id = $1 AND used_at IS NULL", contact_point_id
        )
        await self.conn.execute(
            "INSERT INTO email_confirmations (token_sha256, contact_point_id, expires_at) VALUES ($1, $2, $3)",
            token_sha256,
            contact_point_id,
            expires_at,
        )

    async def find_for_update(self, token_sha256: bytes) -> StoredConfirmation | None:
        row = await self.conn.fetchrow(
            "SELECT e.contact_point_id, e.expires_at, e.used_at, c.person_id, c.tenant_id FROM email_confirmations e "
            "JOIN contact_points c ON c.id = e.contact_point_id WHERE e.token_sha256 = $1 FOR UPDATE OF e, c",
            token_sha256,
        )
        if row is None:
            return None
        return StoredConfirmation(
            row["contact_point_id"], row["person_id"], row["tenant_id"], row["expires_at"], row["used_at"]
        )

    async def use(self, token_sha256: bytes, contact_point_id: UUID, now: datetime) -> None:
        """Marks the link used and the address confirmed (kept if it was confirmed before)."""
        await self.conn.execute(
            "UPDATE email_confirmations SET used_at = $2 WHERE token_sha256 = $1", token_sha256, now
        )
        await self.conn.execute(
            "UPDATE contact_points SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1", contact_point_id, now
        )

    async def confirmed_at(self, contact_point_id: UUID) -> datetime | None:
        value: datetime | None = await self.conn.fetchval(
            "SELECT confirmed_at FROM contact_points WHERE id = $1", contact_point_id
        )
        return value
