"""Events of the reporting service about clients (topic accord.reporting.v1, keyed by client). Its pseudonymised
stream for analytics teams is apart (contracts/analytics.py)."""

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from accord.shared.events.base import ClientEvent


class ReportingEvent(ClientEvent):
    topic: ClassVar[str] = "accord.reporting.v1"


class ReportingExportPartStored(ReportingEvent):
    """The reporting service's part of export `export_id` (the FHIR bundle and its access log) is stored and can
    be downloaded (ids and counts only: the part itself stays in this service's database)."""

    export_id: UUID
    records: int = Field(ge=0)


class ReportingErasureApplied(ReportingEvent):
    """The reporting service applied erasure request `request_id` to the client's records (ids only)."""

    request_id: UUID


class ReportingRestrictionLiftApplied(ReportingEvent):
    """The reporting service ended its restriction of the client's records that erasure request `request_id` put in
    place (`RestrictionLifted`), ids only."""

    request_id: UUID


class ReportingEpisodeRecordsRemoved(ReportingEvent):
    """The reporting service removed its records of episode `episode_id`, whose clinical retention period is over
    (`EpisodeRecordsExpired`), ids only."""

    episode_id: UUID
