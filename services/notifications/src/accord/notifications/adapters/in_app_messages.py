"""In-app messages (the app's inbox): one per in-app delivery, read only by its recipient. Not to be confused with
the consumer's de-duplication `inbox` table."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.notifications.domain.delivery import Delivery
from accord.notifications.domain.templates import TemplateCode
from accord.shared.db import Connection


@dataclass(frozen=True)
class InAppMessage:
    id: UUID
    template: TemplateCode
    link_path: str
    created_at: datetime
    read_at: datetime | None
    seq: int
    """The item's place in its recipient's inbox: 1, 2, 3... in commit order (the live stream's cursor)."""


class InAppMessages:
    """The in-app messages' repository, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, d: Delivery) -> None:
        """Adds the message. Triggers (migrations 0004, 0005) number it in its recipient's inbox and NOTIFY
        `<schema>_inbox` with the recipient and message ids, delivered on commit."""
        await self.conn.execute(
            "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path) "
            "VALUES ($1, $2, $3, $4, $5)",
            d.id,
            d.tenant_id,
            d.recipient_id,
            d.template.value,
            d.link_path,
        )

    async def page(
        self, tenant_id: str, person_id: UUID, before: tuple[datetime, UUID] | None, limit: int
    ) -> list[InAppMessage]:
        """Newest first; `before` is the (created_at, id) of the last item of the previous page."""
        before_at, before_id = before or (None, None)
        rows = await self.conn.fetch(
            "SELECT * FROM in_app_messages WHERE tenant_id = $1 AND recipient_id = $2 "
            "AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4)) ORDER BY created_at DESC, id DESC LIMIT $5",
            tenant_id,
            person_id,
            before_at,
            before_id,
            limit,
        )
        return [_item(r) for r in rows]

    async def after(self, tenant_id: str, person_id: UUID, seq: int, limit: int) -> list[InAppMessage]:
        """The person's own items after `seq`, oldest first (the stream's catch-up read)."""
        rows = await self.conn.fetch(
            "SELECT * FROM in_app_messages WHERE tenant_id = $1 AND recipient_id = $2 AND seq > $3 "
            "ORDER BY seq LIMIT $4",
            tenant_id,
            person_id,
            seq,
            limit,
        )
        return [_item(r) for r in rows]

    async def last_seq(self, tenant_id: str, person_id: UUID) -> int:
        """The person's newest item's `seq`; 0 for an empty inbox."""
        value = await self.conn.fetchval(
            "SELECT last_seq FROM in_app_message_sequences WHERE tenant_id = $1 AND recipient_id = $2",
            tenant_id,
            person_id,
        )
        return int(value or 0)

    async def unread_count(self, tenant_id: str, person_id: UUID) -> int:
        count = await self.conn.fetchval(
            "SELECT count(*) FROM in_app_messages WHERE tenant_id = $1 AND recipient_id = $2 AND read_at IS NULL",
            tenant_id,
            person_id,
        )
        return int(count)

    async def mark_read(self, tenant_id: str, person_id: UUID, item_id: UUID) -> InAppMessage | None:
        """Marks the item read (keeping the first time it was read); None if it is not this person's."""
        row = await self.conn.fetchrow(
            "UPDATE in_app_messages SET read_at = coalesce(read_at, now()) WHERE id = $1 AND tenant_id = $2 "
            "AND recipient_id = $3 RETURNING *",
            item_id,
            tenant_id,
            person_id,
        )
        return None if row is None else _item(row)


def _item(row: Any) -> InAppMessage:
    return InAppMessage(
        row["id"], TemplateCode(row["template_code"]), row["link_path"], row["created_at"], row["read_at"], row["seq"]
    )
