"""A service's `ExportRequested` handler, with fakes: the part is assembled for the named client, stored for the
requester, and announced with ids and a count only (the part itself never goes to Kafka)."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ExportRequested
from accord.shared.events.contracts.progress import ProgressExportPartStored
from accord.shared.exports import count_records, on_export_requested

CONN: Any = object()  # the fakes never use it


class Parts:
    def __init__(self) -> None:
        self.stored: list[dict[str, Any]] = []

    async def store(self, conn: Any, **part: Any) -> int:
        self.stored.append(part)
        return count_records(part["body"])


class Outbox:
    def __init__(self) -> None:
        self.added: list[Envelope] = []

    async def add(self, conn: Any, *envelopes: Envelope) -> None:
        self.added.extend(envelopes)


async def test_an_export_is_assembled_for_that_client_stored_for_the_requester_and_announced_by_count() -> None:
    client, requester, export_id = uuid4(), uuid4(), uuid4()
    asked_for: list[tuple[str, UUID]] = []

    class Repository:
        """The service's repository, as far as its part goes."""

        async def export_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
            asked_for.append((tenant_id, client_id))
            return {"checkins": [{"text": "a private journal line"}] * 2, "entries": [{"note": "x"}], "other": 7}

    parts, outbox = Parts(), Outbox()
    handler = on_export_requested("progress", lambda conn: Repository(), parts, outbox, ProgressExportPartStored)
    requested = ExportRequested(
        client_id=client, export_id=export_id, requested_by=requester, requested_at=datetime.now(UTC)
    )
    envelope = Envelope.wrap(requested, producer="goals", tenant_id="tenant-a")
    await handler(CONN, envelope, requested)

    assert asked_for == [("tenant-a", client)]
    [part] = parts.stored
    assert (part["export_id"], part["client_id"], part["requested_by"]) == (export_id, client, requester)
    assert part["body"]["service"] == "progress" and part["body"]["client_id"] == str(client)
    [announced] = outbox.added
    event = announced.open()
    assert event == ProgressExportPartStored(client_id=client, export_id=export_id, records=3)
    assert announced.causation_id == envelope.event_id and announced.producer == "progress"
    assert "journal" not in announced.model_dump_json()
