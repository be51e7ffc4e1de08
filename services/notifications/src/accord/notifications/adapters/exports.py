"""The notifications service's part of a subject access export: the client's preferences and contact points, every
notification addressed to them (deliveries and in-app messages), and who read or changed their data here."""

from typing import Any
from uuid import UUID

from accord.shared.audit import Audit
from accord.shared.db import Connection


class ExportPartRepository:
    """The service's reads for its part of a subject access export (a `PartSource`), on one connection."""

    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def export_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        schema = self.schema

        async def rows(sql: str) -> list[dict[str, Any]]:
            return [dict(r) for r in await self.conn.fetch(sql, tenant_id, client_id)]

        return {
            "preferences": await rows(
                "SELECT locale, time_zone, channels, quiet_start, quiet_end, clinician_delivery"
                f" FROM {schema}.preferences WHERE tenant_id = $1 AND person_id = $2"
            ),
            # A push subscription's keys are credentials of the browser, not information about the person.
            "contact_points": await rows(
                "SELECT id, channel, address, created_at, disabled_at, disabled_reason"
                f" FROM {schema}.contact_points WHERE tenant_id = $1 AND person_id = $2 ORDER BY created_at, id"
            ),
            "deliveries": await rows(
                "SELECT id, source_event_id, channel, contact_point_id, template_code, link_path, urgent, status,"
                f" attempts, created_at, sent_at FROM {schema}.deliveries"
                " WHERE tenant_id = $1 AND recipient_id = $2 ORDER BY created_at, id"
            ),
            "in_app_messages": await rows(
                f"SELECT id, template_code, link_path, created_at, read_at FROM {schema}.in_app_messages"
                " WHERE tenant_id = $1 AND recipient_id = $2 ORDER BY created_at, id"
            ),
            "access_log": await Audit(schema).client_log(self.conn, tenant_id, client_id),
        }
