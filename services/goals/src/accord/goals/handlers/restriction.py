"""Lifting a restriction: recorded with its erasure request, ended in this service at once (in the lift's
transaction), and sent to every other service that restricted the client as `RestrictionLifted`."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from accord.goals.domain.erasure import ErasureStatus
from accord.goals.domain.restriction import AlreadyLifted, check_may_lift
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import RestrictionLifted

SERVICE = "goals"


class RequestsRead(Protocol):
    async def supervises(self, me: Principal, client_id: UUID) -> bool: ...
    async def status(self, tenant_id: str, request_id: UUID) -> ErasureStatus | None: ...


class LiftRecords(Protocol):
    async def lift(self, request_id: UUID, me: Principal, reason: str, at: datetime) -> bool: ...
    async def end_restriction(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None: ...
    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class Lifted:
    client_id: UUID
    envelope: Envelope
    """`RestrictionLifted`, for the outbox."""


async def lift_restriction(
    requests: RequestsRead, lifts: LiftRecords, me: Principal, request_id: UUID, reason: str, now: datetime
) -> Lifted:
    """Lifts the restriction request `request_id` put on its client. Raises ErasureRefused (as for an unknown request
    to anyone who may not lift it) or AlreadyLifted."""
    status = await requests.status(me.tenant_id, request_id)
    supervises = status is not None and await requests.supervises(me, status.client_id)
    status = check_may_lift(me, status, supervises)
    if not await lifts.lift(request_id, me, reason, now):
        raise AlreadyLifted(str(request_id))
    await lifts.end_restriction(me.tenant_id, status.client_id, request_id)
    await lifts.lift_applied(request_id, SERVICE, now)
    event = RestrictionLifted(client_id=status.client_id, request_id=request_id, lifted_by=me.subject, lifted_at=now)
    return Lifted(status.client_id, Envelope.wrap(event, producer=SERVICE, tenant_id=me.tenant_id))
