"""Subject access exports in the goals service, against an in-memory store: who may ask, what is stored and
announced, who may follow the progress, and how parts are counted."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from accord.goals.domain.exports import PARTS, ExportRefused, ExportStatus
from accord.goals.handlers.exports import (
    Position,
    exports_asked_by,
    on_export_part_stored,
    request_export,
    status_for,
)
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import ExportRequested
from accord.shared.events.contracts.progress import ProgressExportPartStored

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


class InMemoryExports:
    def __init__(self, care_team: set[UUID] = frozenset()) -> None:  # type: ignore[assignment]
        self.care_team = care_team
        self.exports: dict[UUID, ExportStatus] = {}
        self.parts: dict[UUID, dict[str, Any]] = {}

    async def on_care_team(self, me: Principal, client_id: UUID) -> bool:
        return me.subject in self.care_team

    async def add(
        self, export_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None:
        self.exports[export_id] = ExportStatus(export_id, client_id, me.subject, at, request_reference, {})

    async def part_stored(self, export_id: UUID, service: str, records: int) -> None:
        if export_id in self.exports:
            self.exports[export_id].parts[service] = records

    async def status(self, tenant_id: str, export_id: UUID) -> ExportStatus | None:
        return self.exports.get(export_id)

    async def requested_by(
        self, me: Principal, client_id: UUID, after: Position | None, limit: int
    ) -> list[ExportStatus]:
        # Deliberately wider than the SQL (every export of the tenant): the handler must keep only `me`'s own.
        newest_first = sorted(self.exports.values(), key=lambda s: (s.requested_at, s.export_id), reverse=True)
        return [s for s in newest_first if after is None or (s.requested_at, s.export_id) < after][:limit]

    async def client_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        return {"goals": [{"goal_id": uuid4()}, {"goal_id": uuid4()}], "client_id": client_id}

    async def save_part(self, **part: Any) -> int:
        self.parts[part["export_id"]] = part
        return len(part["body"]["goals"])


def person(role: Role, subject: UUID | None = None) -> Principal:
    return Principal(subject=subject or uuid4(), tenant_id="tenant-a", roles=frozenset({role}))


async def test_a_client_asks_for_their_own_export_and_the_goals_part_is_stored_and_counted_at_once() -> None:
    store, client, export_id = InMemoryExports(), uuid4(), uuid4()
    envelope = await request_export(store, store.save_part, person(Role.CLIENT, client), export_id, client, None, NOW)
    event = envelope.open()
    assert isinstance(event, ExportRequested)
    assert (event.export_id, event.client_id, event.requested_by) == (export_id, client, client)
    assert envelope.partition_key == str(client) and envelope.producer == "goals"
    assert store.parts[export_id]["requested_by"] == client
    status = store.exports[export_id]
    assert status.parts == {"goals": 2} and not status.ready


async def test_another_client_may_not_ask_for_someone_elses_export_and_nothing_is_stored() -> None:
    store = InMemoryExports()
    with pytest.raises(ExportRefused) as refused:
        await request_export(store, store.save_part, person(Role.CLIENT), uuid4(), uuid4(), None, NOW)
    assert refused.value.field is None  # answered as an unknown client: existence does not leak
    assert store.exports == {} and store.parts == {}


async def test_staff_off_the_care_team_may_not_ask_even_with_a_recorded_request() -> None:
    store = InMemoryExports()
    with pytest.raises(ExportRefused):
        await request_export(store, store.save_part, person(Role.THERAPIST), uuid4(), uuid4(), "SAR-1", NOW)
    assert store.exports == {}


async def test_staff_on_the_care_team_must_name_the_recorded_request() -> None:
    therapist = person(Role.THERAPIST)
    store = InMemoryExports(care_team={therapist.subject})
    with pytest.raises(ExportRefused) as refused:
        await request_export(store, store.save_part, therapist, uuid4(), uuid4(), None, NOW)
    assert refused.value.field == "request_reference" and store.exports == {}
    export_id = uuid4()
    await request_export(store, store.save_part, therapist, export_id, uuid4(), "SAR-1", NOW)
    assert store.exports[export_id].request_reference == "SAR-1"


async def test_a_family_member_on_the_care_team_may_not_ask() -> None:
    parent = person(Role.FAMILY)
    store = InMemoryExports(care_team={parent.subject})
    with pytest.raises(ExportRefused):
        await request_export(store, store.save_part, parent, uuid4(), uuid4(), "SAR-1", NOW)


async def test_only_the_requester_follows_an_export_and_it_is_ready_once_every_part_is_counted() -> None:
    store, client, export_id = InMemoryExports(), uuid4(), uuid4()
    me = person(Role.CLIENT, client)
    envelope = await request_export(store, store.save_part, me, export_id, client, None, NOW)
    assert await status_for(store, person(Role.CLIENT), export_id) is None
    assert await status_for(store, person(Role.THERAPIST), export_id) is None
    for service in PARTS[1:]:
        stored = ProgressExportPartStored(client_id=client, export_id=export_id, records=3)
        await on_export_part_stored(store, Envelope.wrap(stored, producer=service, tenant_id="tenant-a"), stored)
    status = await status_for(store, me, export_id)
    assert status is not None and status.ready and set(status.parts) == set(PARTS)
    assert envelope.open().export_id == export_id  # type: ignore[attr-defined]


async def test_the_list_pages_by_keyset_through_ones_own_exports_about_the_client_without_repeats_or_gaps() -> None:
    therapist = person(Role.THERAPIST)
    client = uuid4()
    store = InMemoryExports(care_team={therapist.subject})
    mine = [uuid4() for _ in range(4)]
    for minutes, export_id in enumerate(mine):
        await request_export(
            store, store.save_part, therapist, export_id, client, "SAR-1", NOW - timedelta(minutes=minutes)
        )
        theirs = person(Role.CLIENT, client)  # the client's own, at the same moment: not the therapist's to see
        await request_export(store, store.save_part, theirs, uuid4(), client, None, NOW - timedelta(minutes=minutes))

    seen, after, pages = [], None, 0
    while True:
        page = await exports_asked_by(store, therapist, client, after, 3)
        seen += [s.export_id for s in page.items]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after

    assert seen == mine  # newest first, each once
    assert pages == 3  # eight exports three a page: the client's own took room but were never shown
    assert (await exports_asked_by(store, therapist, uuid4(), None, 50)).items == []  # another client's: none
