"""Erasure requests in the goals service, which keeps each one: asking, deciding (an approval is applied here at
once, in the decision's transaction, and goes to every other service as `ErasureDecided`), and counting the
services' reports that they applied it."""

from datetime import datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from accord.goals.domain.erasure import (
    AlreadyDecided,
    Decision,
    ErasureRefused,
    ErasureStatus,
    Listed,
    check_may_ask,
    check_may_decide,
)
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ErasureDecided

SERVICE = "goals"
Position = tuple[datetime, UUID]
"""A keyset position in a list of requests: the time asked and the request id of the last one read."""


class ErasureStore(Protocol):
    async def on_care_team(self, me: Principal, client_id: UUID) -> bool: ...
    async def supervises(self, me: Principal, client_id: UUID) -> bool: ...
    async def add(
        self, request_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None: ...
    async def decide(self, request_id: UUID, me: Principal, decision: Decision, at: datetime) -> bool: ...
    async def applied(self, request_id: UUID, service: str, at: datetime) -> None: ...
    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None: ...
    async def status(self, tenant_id: str, request_id: UUID) -> ErasureStatus | None: ...
    async def followed_by(
        self, me: Principal, client_id: UUID | None, which: Listed | None, after: Position | None, limit: int
    ) -> list[ErasureStatus]:
        """Newest first (by time asked, then request id), from after the keyset position `after`; only those
        `listed_in(which)`."""
        ...

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None: ...


async def ask_for_erasure(
    store: ErasureStore, me: Principal, request_id: UUID, client_id: UUID, request_reference: str | None, now: datetime
) -> None:
    """Records the request (nothing is applied until it is decided). Raises ErasureRefused when `me` may not ask."""
    check_may_ask(me, client_id, await store.on_care_team(me, client_id), request_reference)
    await store.add(request_id, me, client_id, request_reference, now)


async def decide_erasure(
    store: ErasureStore, me: Principal, request_id: UUID, decision: Decision, now: datetime
) -> Envelope | None:
    """Records the decision; an approval is applied to this service's records at once and answered as the
    `ErasureDecided` envelope for the outbox (a refusal answers None). Raises ErasureRefused (404 for anyone who may
    not see the request) or AlreadyDecided."""
    status = await store.status(me.tenant_id, request_id)
    supervises = status is not None and await store.supervises(me, status.client_id)
    if status is None or not supervises:
        raise ErasureRefused("no such request for this supervisor")
    check_may_decide(me, status.requested_by, supervises)
    if not await store.decide(request_id, me, decision, now):
        raise AlreadyDecided(str(request_id))
    if decision is not Decision.APPROVED:
        return None
    await store.apply_erasure(me.tenant_id, status.client_id, request_id)
    await store.applied(request_id, SERVICE, now)
    event = ErasureDecided(client_id=status.client_id, request_id=request_id, decided_by=me.subject, decided_at=now)
    return Envelope.wrap(event, producer=SERVICE, tenant_id=me.tenant_id)


async def erasure_status_for(store: ErasureStore, me: Principal, request_id: UUID) -> ErasureStatus | None:
    """The request as whoever may follow it sees it (None for anyone else, as for an unknown request)."""
    status = await store.status(me.tenant_id, request_id)
    if status is None:
        return None
    return status if status.readable_by(me, await store.supervises(me, status.client_id)) else None


class Followed(NamedTuple):
    """A request `me` may follow, and what `me` may do with it now (a screen offers only those)."""

    status: ErasureStatus
    may_decide: bool
    may_lift: bool


class FollowedPage(NamedTuple):
    items: list[Followed]
    next_after: Position | None
    """Where the next page starts (the last request this page read), or None when there is no more."""


async def erasures_for(
    store: ErasureStore, me: Principal, client_id: UUID | None, which: Listed | None, after: Position | None, limit: int
) -> FollowedPage:
    """A page of the requests `me` may follow (newest first, after the keyset position `after`; only the waiting ones,
    or only the restrictions in place, if `which` says so), each with whether `me` may decide it or lift its
    restriction. A supervisor's requests are those of the clients of their teams; anyone else sees only the requests
    they asked for or that are about them (the store narrows the rows; the domain's rules have the last word, so a
    page may hold fewer than `limit`, never with a gap: the next page starts after the last row read)."""
    supervises: dict[UUID, bool] = {}
    found: list[Followed] = []
    rows = await store.followed_by(me, client_id, which, after, limit + 1)
    for status in rows[:limit]:
        if status.client_id not in supervises:
            supervises[status.client_id] = await store.supervises(me, status.client_id)
        if status.listed_in(which) and status.readable_by(me, supervises[status.client_id]):
            found.append(followed(status, me, supervises[status.client_id]))
    last = rows[limit - 1] if len(rows) > limit else None
    return FollowedPage(found, None if last is None else (last.requested_at, last.request_id))


def followed(status: ErasureStatus, me: Principal, supervises_client: bool) -> Followed:
    return Followed(status, status.decidable_by(me, supervises_client), status.liftable_by(me, supervises_client))


async def on_erasure_applied(store: ErasureStore, envelope: Envelope, event: Any) -> None:
    """A service applied the decision: note it (the producer names the service; a repeat keeps the first)."""
    await store.applied(event.request_id, envelope.producer, envelope.occurred_at)


async def on_lift_applied(store: ErasureStore, envelope: Envelope, event: Any) -> None:
    """A service ended its restriction after a lift: note it (the producer names the service; a repeat keeps the
    first)."""
    await store.lift_applied(event.request_id, envelope.producer, envelope.occurred_at)
