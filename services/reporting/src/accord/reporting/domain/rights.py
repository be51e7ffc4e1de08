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
    }
)
