"""An erasure decision applied to the notifications service, whose data is all app-only (messages carry a template
code and a link, never clinical words): everything about the client is erased, and the client is remembered as
restricted so that no later event plans a message about them or to them."""

from uuid import UUID

from accord.shared.db import Connection
from accord.shared.erasure import Restrictions

# In an order the foreign keys allow: a delivery's in-app message and attempt log before the delivery.
ERASED = (
    "DELETE FROM {schema}.in_app_messages WHERE tenant_id = $1 AND id IN"
    " (SELECT id FROM {schema}.deliveries WHERE tenant_id = $1 AND (recipient_id = $2 OR client_id = $2))",
    "DELETE FROM {schema}.delivery_log WHERE delivery_id IN"
    " (SELECT id FROM {schema}.deliveries WHERE tenant_id = $1 AND (recipient_id = $2 OR client_id = $2))",
    "DELETE FROM {schema}.deliveries WHERE tenant_id = $1 AND (recipient_id = $2 OR client_id = $2)",
    "DELETE FROM {schema}.in_app_message_sequences WHERE tenant_id = $1 AND recipient_id = $2",
    "DELETE FROM {schema}.contact_points WHERE tenant_id = $1 AND person_id = $2",
    "DELETE FROM {schema}.preferences WHERE tenant_id = $1 AND person_id = $2",
    "DELETE FROM {schema}.pending_triggers WHERE tenant_id = $1 AND client_id = $2",
)


class Erasure:
    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """Erases the client's e-mail addresses, push subscriptions, preferences, in-app messages and deliveries
        (theirs, and those to others about them), and their held events; idempotent."""
        await Restrictions(self.schema).restrict(self.conn, tenant_id, client_id, request_id)
        for statement in ERASED:
            await self.conn.execute(statement.format(schema=self.schema), tenant_id, client_id)

    async def is_restricted(self, tenant_id: str, client_id: UUID) -> bool:
        return await Restrictions(self.schema).is_restricted(self.conn, tenant_id, client_id)
