"""One handler function per command or event. The goals service reacts to other services' events only to count
the parts of a subject access export they have stored and the services that applied an erasure decision or the lift
of its restriction, and that removed their records of an episode past its clinical retention period."""

from collections.abc import Mapping
from typing import Any

from accord.goals.adapters.clinical_retention import ClinicalRecords
from accord.goals.adapters.erasure import ErasureRequests
from accord.goals.adapters.exports import Exports
from accord.goals.handlers.clinical_retention import on_episode_records_removed
from accord.goals.handlers.erasure import on_erasure_applied, on_lift_applied
from accord.goals.handlers.exports import on_export_part_stored
from accord.goals.settings import Settings
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.inbox import EventHandler
from accord.shared.runtime import Resources

REMOVALS = ("ProgressEpisodeRecordsRemoved", "NotificationsEpisodeRecordsRemoved", "ReportingEpisodeRecordsRemoved")
CONSUMED_TOPICS: tuple[str, ...] = ("accord.progress.v1", "accord.notifications.v1", "accord.reporting.v1")


def event_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    """Event type -> handler; every other event of these topics is passed over."""
    schema = resources.settings.db_schema

    async def part_stored(conn: Connection, envelope: Envelope, event: Any) -> None:
        await on_export_part_stored(Exports(conn, schema), envelope, event)

    async def erasure_applied(conn: Connection, envelope: Envelope, event: Any) -> None:
        await on_erasure_applied(ErasureRequests(conn, schema), envelope, event)

    async def lift_applied(conn: Connection, envelope: Envelope, event: Any) -> None:
        await on_lift_applied(ErasureRequests(conn, schema), envelope, event)

    async def records_removed(conn: Connection, envelope: Envelope, event: Any) -> None:
        await on_episode_records_removed(ClinicalRecords(conn, schema), envelope, event)

    parts = ("ProgressExportPartStored", "NotificationsExportPartStored", "ReportingExportPartStored")
    applied = ("ProgressErasureApplied", "NotificationsErasureApplied", "ReportingErasureApplied")
    lifts = ("ProgressRestrictionLiftApplied", "NotificationsRestrictionLiftApplied", "ReportingRestrictionLiftApplied")
    return {
        **dict.fromkeys(parts, part_stored),
        **dict.fromkeys(applied, erasure_applied),
        **dict.fromkeys(lifts, lift_applied),
        **dict.fromkeys(REMOVALS, records_removed),
    }
