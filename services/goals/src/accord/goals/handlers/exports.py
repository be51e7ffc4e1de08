"""Subject access exports in the goals service, which keeps each request: asking for one (this service's part is
stored at once, in the request's transaction), and counting the parts the other services report stored."""

from datetime import datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from accord.goals.domain.exports import ExportStatus, check_may_request
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ExportRequested

SERVICE = "goals"
Position = tuple[datetime, UUID]
"""A keyset position in a list of exports: the time asked and the export id of the last one read."""


class ExportStore(Protocol):
    async def on_care_team(self, me: Principal, client_id: UUID) -> bool: ...
    async def add(
        self, export_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None: ...
    async def part_stored(self, export_id: UUID, service: str, records: int) -> None: ...
    async def status(self, tenant_id: str, export_id: UUID) -> ExportStatus | None: ...
    async def requested_by(
        self, me: Principal, client_id: UUID, after: Position | None, limit: int
    ) -> list[ExportStatus]:
        """Newest first (by time asked, then export id), from after the keyset position `after`."""
        ...

    async def client_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]: ...


class PartStore(Protocol):
    async def __call__(
        self, *, export_id: UUID, tenant_id: str, client_id: UUID, requested_by: UUID, body: dict[str, Any]
    ) -> int: ...


async def request_export(
    store: ExportStore,
    save_part: PartStore,
    me: Principal,
    export_id: UUID,
    client_id: UUID,
    request_reference: str | None,
    now: datetime,
) -> Envelope:
    """Records the request and this service's part; answers the `ExportRequested` envelope for the outbox.
    Raises ExportRefused when `me` may not ask."""
    check_may_request(me, client_id, await store.on_care_team(me, client_id), request_reference)
    await store.add(export_id, me, client_id, request_reference, now)
    records = await save_part(
        export_id=export_id,
        tenant_id=me.tenant_id,
        client_id=client_id,
        requested_by=me.subject,
        body=await store.client_part(me.tenant_id, client_id),
    )
    await store.part_stored(export_id, SERVICE, records)
    event = ExportRequested(client_id=client_id, export_id=export_id, requested_by=me.subject, requested_at=now)
    return Envelope.wrap(event, producer=SERVICE, tenant_id=me.tenant_id)


async def status_for(store: ExportStore, me: Principal, export_id: UUID) -> ExportStatus | None:
    """The export's progress, only for whom it was made for (None otherwise, as for an unknown export)."""
    status = await store.status(me.tenant_id, export_id)
    return status if status is not None and status.requested_by == me.subject else None


async def on_export_part_stored(store: ExportStore, envelope: Envelope, event: Any) -> None:
    """A service stored its part: count it (the producer names the service; a repeat sets the same value)."""
    await store.part_stored(event.export_id, envelope.producer, event.records)


class ExportPage(NamedTuple):
    items: list[ExportStatus]
    next_after: Position | None
    """Where the next page starts (the last export this page read), or None when there is no more."""


async def exports_asked_by(
    store: ExportStore, me: Principal, client_id: UUID, after: Position | None, limit: int
) -> ExportPage:
    """A page of the exports about the client that `me` asked for, newest first, after the keyset position `after`
    (the store narrows the rows to `me`'s own; the rule of `status_for` has the last word, so a page may hold fewer
    than `limit`, never with a gap: the next page starts after the last row read)."""
    rows = await store.requested_by(me, client_id, after, limit + 1)
    found = [s for s in rows[:limit] if s.requested_by == me.subject and s.client_id == client_id]
    last = rows[limit - 1] if len(rows) > limit else None
    return ExportPage(found, None if last is None else (last.requested_at, last.export_id))
