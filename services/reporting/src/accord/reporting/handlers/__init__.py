"""One handler function per command or event."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from accord.reporting.adapters.clinical_retention import ExpiredEpisodes
from accord.reporting.adapters.repository import Repository
from accord.reporting.domain.projection import PROJECTORS, Row, rows_for
from accord.reporting.handlers.exports import ExportPart
from accord.reporting.settings import Settings
from accord.shared.clinical_retention import on_episode_records_expired
from accord.shared.db import Connection
from accord.shared.erasure import on_erasure_decided, on_restriction_lifted
from accord.shared.events import Envelope
from accord.shared.events.contracts.reporting import (
    ReportingEpisodeRecordsRemoved,
    ReportingErasureApplied,
    ReportingExportPartStored,
    ReportingRestrictionLiftApplied,
)
from accord.shared.exports import ExportParts, on_export_requested
from accord.shared.inbox import BatchEffect, Delivered, EventHandler
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = (
    "accord.goals.v1",
    "accord.progress.v1",
    "accord.notifications.v1",
)


class Projections(Protocol):
    """What the event handler needs of a repository (`Repository`, or the tests' in-memory one)."""

    async def add(self, rows: list[Row]) -> None: ...


async def on_event(repo: Projections, envelope: Envelope, event: Any) -> None:
    """Every event is handled the same way: its facts are added to the projections (see domain/projection.py)."""
    await repo.add(rows_for(envelope, event))


async def on_events(repo: Projections, delivered: Sequence[Delivered]) -> None:
    """Several events at once (a consumer batch): their facts in one write per table. Facts are only ever added, and
    a copy changes nothing, so adding them together keeps exactly what one by one would."""
    await repo.add([row for d in delivered for row in rows_for(d.envelope, d.event)])


def event_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    """Event type -> handler, for the events this service reacts to: `on_events` (a batch's facts written together),
    with the repository on the inbox transaction's connection."""
    schema = resources.settings.db_schema

    async def handle_many(conn: Connection, delivered: Sequence[Delivered]) -> None:
        await on_events(Repository(conn, schema), delivered)

    # `ExportRequested` has the service store its part of a subject access export.
    export = on_export_requested(
        "reporting",
        lambda conn: ExportPart(Repository(conn, schema), resources.settings.fhir_base_url),
        ExportParts(schema),
        resources.outbox,
        ReportingExportPartStored,
    )
    # `ErasureDecided` restricts the client's records here and destroys their analytics key material.
    erasure = on_erasure_decided(
        "reporting", lambda conn: Repository(conn, schema), resources.outbox, ReportingErasureApplied
    )
    return {
        **dict.fromkeys(PROJECTORS, BatchEffect(handle_many)),
        "ExportRequested": export,
        "ErasureDecided": erasure,
        "RestrictionLifted": on_restriction_lifted(
            "reporting", schema, resources.outbox, ReportingRestrictionLiftApplied
        ),
        # The episode's clinical retention period is over: its rows leave every projection (and stay out of a rebuild).
        "EpisodeRecordsExpired": on_episode_records_expired(
            "reporting",
            schema,
            lambda conn: ExpiredEpisodes(conn, schema),
            resources.outbox,
            ReportingEpisodeRecordsRemoved,
        ),
    }
