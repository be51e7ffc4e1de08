"""The notifications service's part of a subject access export: the client's preferences and contact points, every
notification addressed to them (deliveries and in-app messages), and who read or changed their data here."""

from typing import Any
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.exports import Assemble, client_access_log


def assembler(schema: str) -> Assemble:
    async def assemble(conn: Connection, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        async def rows(sql: str) -> list[dict[str, Any]]:
            return [dict(r) for r in await conn.fetch(sql, tenant_id, client_id)]

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
            "access_log": await client_access_log(conn, schema, tenant_id, client_id),
        }

    return assemble
