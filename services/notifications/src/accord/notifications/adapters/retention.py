"""Removal of records past their retention period, one bounded batch per call (see `domain/retention.py`).

Each statement picks at most `limit` due rows (`FOR UPDATE SKIP LOCKED`: a row the dispatcher or a request holds is
left for the next sweep) and deletes them, so a transaction holds few row locks for a short time. A tenant's cutoff
comes from the override arrays, else the default.
"""

from accord.notifications.domain.retention import Cutoffs, RecordKind
from accord.shared.db import Connection

_CUTOFF = (
    "COALESCE((SELECT o.cutoff FROM unnest($1::text[], $2::timestamptz[]) AS o(tenant, cutoff) "
    "WHERE o.tenant = r.tenant_id), $3)"
)

_STATEMENTS = {
    RecordKind.IN_APP_MESSAGES: f"""
        WITH due AS (
            SELECT r.id FROM in_app_messages r WHERE r.created_at < {_CUTOFF}
            ORDER BY r.created_at LIMIT $4 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM in_app_messages m USING due WHERE m.id = due.id""",
    # A pending delivery is still to be sent; one whose in-app message is kept is kept with it (the message
    # references it). Its attempt log goes with it.
    RecordKind.DELIVERIES: f"""
        WITH due AS (
            SELECT r.id FROM deliveries r
            WHERE r.created_at < {_CUTOFF} AND r.status <> 'pending'
              AND NOT EXISTS (SELECT 1 FROM in_app_messages m WHERE m.id = r.id)
            ORDER BY r.created_at LIMIT $4 FOR UPDATE SKIP LOCKED
        ), log AS (
            DELETE FROM delivery_log l USING due WHERE l.delivery_id = due.id
        )
        DELETE FROM deliveries d USING due WHERE d.id = due.id""",
    RecordKind.HELD_TRIGGERS: f"""
        WITH due AS (
            SELECT r.event_id FROM pending_triggers r WHERE r.created_at < {_CUTOFF}
            ORDER BY r.created_at LIMIT $4 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM pending_triggers p USING due WHERE p.event_id = due.event_id""",
    RecordKind.IDEMPOTENCY_KEYS: f"""
        WITH due AS (
            SELECT r.tenant_id, r.actor_id, r.key FROM idempotency_keys r WHERE r.created_at < {_CUTOFF}
            ORDER BY r.created_at LIMIT $4 FOR UPDATE SKIP LOCKED
        )
        DELETE FROM idempotency_keys k USING due
        WHERE (k.tenant_id, k.actor_id, k.key) = (due.tenant_id, due.actor_id, due.key)""",
}


class Retention:
    """Removal of records past their retention period, on one connection (one short transaction per batch)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def remove_due(self, kind: RecordKind, cutoffs: Cutoffs, limit: int) -> int:
        """Deletes at most `limit` records of `kind` past their cutoff; returns how many went."""
        tenants = list(cutoffs.tenants)
        status = await self.conn.execute(
            _STATEMENTS[kind], tenants, [cutoffs.tenants[t] for t in tenants], cutoffs.default, limit
        )
        return int(status.rsplit(" ", 1)[-1])
