"""A service's `ErasureDecided` handler, with fakes: the decision is applied to the named client through the
service's repository, on the inbox transaction's connection, and announced with ids only."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from accord.shared.erasure import on_erasure_decided
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ErasureDecided
from accord.shared.events.contracts.notifications import NotificationsErasureApplied

CONN: Any = object()


class Outbox:
    def __init__(self) -> None:
        self.added: list[tuple[Any, Envelope]] = []

    async def add(self, conn: Any, *envelopes: Envelope) -> None:
        self.added += [(conn, e) for e in envelopes]


async def test_a_decision_is_applied_to_that_client_on_the_inbox_connection_and_announced_by_ids() -> None:
    applied: list[tuple[Any, str, UUID, UUID]] = []

    class Repository:
        def __init__(self, conn: Any) -> None:
            self.conn = conn

        async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
            applied.append((self.conn, tenant_id, client_id, request_id))

    client, request_id, outbox = uuid4(), uuid4(), Outbox()
    handler = on_erasure_decided("notifications", Repository, outbox, NotificationsErasureApplied)
    decided = ErasureDecided(client_id=client, request_id=request_id, decided_by=uuid4(), decided_at=datetime.now(UTC))
    envelope = Envelope.wrap(decided, producer="goals", tenant_id="tenant-a")

    await handler(CONN, envelope, decided)

    assert applied == [(CONN, "tenant-a", client, request_id)]
    [(conn, announced)] = outbox.added
    assert conn is CONN and announced.producer == "notifications" and announced.causation_id == envelope.event_id
    assert announced.open() == NotificationsErasureApplied(client_id=client, request_id=request_id)
