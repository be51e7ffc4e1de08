"""The events of a person using their rights (access, erasure): no fact about their care, so reporting neither
projects them nor sends them to analytics. The service handles some of them apart (its export part, the erasure)."""

RIGHTS_EVENTS = frozenset(
    {
        "ExportRequested",
        "ProgressExportPartStored",
        "NotificationsExportPartStored",
        "ReportingExportPartStored",
        "ErasureDecided",
        "RestrictionLifted",
        "ProgressErasureApplied",
        "NotificationsErasureApplied",
        "ReportingErasureApplied",
        "ProgressRestrictionLiftApplied",
        "NotificationsRestrictionLiftApplied",
        "ReportingRestrictionLiftApplied",
    }
)

# The end of an episode's clinical retention period: not a fact about care but the record's removal, which reporting
# applies apart (`adapters/clinical_retention.py`); no analytics event says it.
RECORD_KEEPING_EVENTS = frozenset(
    {
        "EpisodeRecordsExpired",
        "ProgressEpisodeRecordsRemoved",
        "NotificationsEpisodeRecordsRemoved",
        "ReportingEpisodeRecordsRemoved",
    }
)
