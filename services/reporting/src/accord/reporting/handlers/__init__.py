"""One handler function per command or event."""

from collections.abc import Mapping

from accord.reporting.adapters.projection_store import ProjectionStore
from accord.reporting.domain.projection import PROJECTORS, rows_for
from accord.reporting.handlers.exports import assembler
from accord.reporting.settings import Settings
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.base import IntegrationEvent
from accord.shared.events.contracts.reporting import ReportingExportPartStored
from accord.shared.exports import ExportParts, on_export_requested
from accord.shared.inbox import EventHandler
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = (
    "accord.goals.v1",
    "accord.progress.v1",
    "accord.notifications.v1",
)


def event_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    """Event type -> handler, for the events this service reacts to.

    Every event but `ExportRequested` is handled the same way: its facts are added to the projections (see
    domain/projection.py). `ExportRequested` has the service store its part of the export.
    """
    schema = resources.settings.db_schema
    store = ProjectionStore(schema)

    async def on_event(conn: Connection, envelope: Envelope, event: IntegrationEvent) -> None:
        await store.add(conn, rows_for(envelope, event))

    export = on_export_requested(
        "reporting",
        assembler(schema, resources.settings.fhir_base_url),
        ExportParts(schema),
        resources.outbox,
        ReportingExportPartStored,
    )
    return {**dict.fromkeys(PROJECTORS, on_event), "ExportRequested": export}
