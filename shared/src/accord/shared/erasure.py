"""A service's side of an erasure decision: apply it once, from the event, and announce it.

The goals service keeps each erasure request and its decision; an approval goes out as `ErasureDecided`. Every
other service consumes it through its inbox and, in the inbox's transaction (so exactly once, and with the effect),
applies it to its own records through its own repository (an `ErasureTarget`) and puts its `<Service>ErasureApplied`
in its outbox. What applying means is each service's: the clinical record is restricted, app-only data erased.

The `restricted_clients` table is the machinery every service with clinical records shares: a client named there is
hidden from that service's reads and uses. Its statements are here, as the outbox's and the audit log's are.
"""

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from alembic import op

from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.inbox import EventHandler


def restricted_clients_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.restricted_clients (
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            request_id uuid NOT NULL,
            restricted_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, client_id)
        )""",
    ]


def upgrade_restricted_clients(schema: str) -> None:
    """A service migration's step that adds its own `restricted_clients` table to its own schema."""
    for statement in restricted_clients_ddl(schema):
        op.execute(statement)


def downgrade_restricted_clients(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.restricted_clients")


class Restrictions:
    """The `restricted_clients` table of one service's schema."""

    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def restrict(self, conn: Connection, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """Restricts the client's records here (restricting twice keeps the first)."""
        await conn.execute(
            f"INSERT INTO {self.schema}.restricted_clients (tenant_id, client_id, request_id) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, client_id) DO NOTHING",
            tenant_id,
            client_id,
            request_id,
        )

    async def lift(self, conn: Connection, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """Lifts the restriction that request `request_id` put on the client here (a restriction of another request
        is left; lifting twice changes nothing)."""
        await conn.execute(
            f"DELETE FROM {self.schema}.restricted_clients WHERE tenant_id = $1 AND client_id = $2 AND request_id = $3",
            tenant_id,
            client_id,
            request_id,
        )

    async def is_restricted(self, conn: Connection, tenant_id: str, client_id: UUID) -> bool:
        return bool(
            await conn.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {self.schema}.restricted_clients"
                " WHERE tenant_id = $1 AND client_id = $2)",
                tenant_id,
                client_id,
            )
        )


class ErasureTarget(Protocol):
    """A service's repository, as far as applying an erasure decision goes."""

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        """Restricts the client's clinical records and erases their app-only data here; idempotent."""
        ...


class Announcer(Protocol):
    async def add(self, conn: Connection, *envelopes: Envelope) -> None: ...


def on_erasure_decided(
    service: str,
    targets: Callable[[Connection], ErasureTarget],
    outbox: Announcer,
    applied: Callable[..., ClientEvent],
) -> EventHandler:
    """The inbox handler of `ErasureDecided`: applies it through the service's repository and announces it with
    `applied` (the service's `...ErasureApplied`), all in the inbox's transaction."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        await targets(conn).apply_erasure(envelope.tenant_id, event.client_id, event.request_id)
        announced = applied(client_id=event.client_id, request_id=event.request_id)
        await outbox.add(conn, envelope.caused(announced, producer=service))

    return handle


def on_restriction_lifted(
    service: str, schema: str, outbox: Announcer, lift_applied: Callable[..., ClientEvent]
) -> EventHandler:
    """The inbox handler of `RestrictionLifted`: the client's records here are used again, and the lift announced
    with `lift_applied` (the service's `...RestrictionLiftApplied`), in the inbox's transaction (so once). Erased
    data is not brought back: it is gone."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        await Restrictions(schema).lift(conn, envelope.tenant_id, event.client_id, event.request_id)
        announced = lift_applied(client_id=event.client_id, request_id=event.request_id)
        await outbox.add(conn, envelope.caused(announced, producer=service))

    return handle
