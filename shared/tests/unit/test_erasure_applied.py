"""A service's `ErasureDecided` and `RestrictionLifted` handlers, with fakes: the decision is applied to the named
client through the service's repository, the lift ends that request's restriction, each on the inbox transaction's
connection, and each is announced with ids only."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from accord.shared.erasure import on_erasure_decided, on_restriction_lifted
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ErasureDecided, RestrictionLifted
from accord.shared.events.contracts.notifications import NotificationsErasureApplied
from accord.shared.events.contracts.progress import ProgressRestrictionLiftApplied

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


async def test_a_lift_ends_the_restriction_of_that_request_on_the_inbox_connection_and_is_announced_by_ids() -> None:
    executed: list[tuple[Any, str, tuple[Any, ...]]] = []

    class Connection:
        async def execute(self, sql: str, *args: Any) -> str:
            executed.append((self, sql, args))
            return "DELETE 1"

    conn, client, request_id, outbox = Connection(), uuid4(), uuid4(), Outbox()
    handler = on_restriction_lifted("progress", "progress", outbox, ProgressRestrictionLiftApplied)
    lifted = RestrictionLifted(client_id=client, request_id=request_id, lifted_by=uuid4(), lifted_at=datetime.now(UTC))
    envelope = Envelope.wrap(lifted, producer="goals", tenant_id="tenant-a")

    await handler(conn, envelope, lifted)

    [(on, sql, args)] = executed
    assert on is conn and "DELETE FROM progress.restricted_clients" in sql and args == ("tenant-a", client, request_id)
    [(announced_on, announced)] = outbox.added
    assert announced_on is conn and announced.producer == "progress" and announced.causation_id == envelope.event_id
    assert announced.open() == ProgressRestrictionLiftApplied(client_id=client, request_id=request_id)
