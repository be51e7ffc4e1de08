"""Trigger events held until this service has seen the goal or care team they are about.

A MilestoneReached travels on the progress topic and the goal's GoalAgreed on the goals topic: nothing orders the
two, so the milestone may come first. It waits here and is planned when the goals service's events catch up.
"""

from uuid import UUID

from accord.shared.db import Connection
from accord.shared.events import Envelope


class PendingTriggers:
    """The held triggers' repository, on one connection (the inbox transaction's)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def hold(self, envelope: Envelope, client_id: UUID) -> None:
        await self.conn.execute(
            "INSERT INTO pending_triggers (event_id, tenant_id, client_id, envelope) VALUES ($1, $2, $3, $4::jsonb) "
            "ON CONFLICT (event_id) DO NOTHING",
            envelope.event_id,
            envelope.tenant_id,
            client_id,
            envelope.model_dump_json(),
        )

    async def held_for(self, tenant_id: str, client_id: UUID) -> list[Envelope]:
        rows = await self.conn.fetch(
            "SELECT envelope FROM pending_triggers WHERE tenant_id = $1 AND client_id = $2 "
            "ORDER BY created_at FOR UPDATE",
            tenant_id,
            client_id,
        )
        return [Envelope.model_validate_json(r["envelope"]) for r in rows]

    async def release(self, event_id: UUID) -> None:
        await self.conn.execute("DELETE FROM pending_triggers WHERE event_id = $1", event_id)
