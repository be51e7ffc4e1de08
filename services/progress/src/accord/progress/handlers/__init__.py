"""One handler function per command or event."""

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from accord.progress.adapters.clinical_retention import EpisodeRecordsRemoval
from accord.progress.adapters.exports import ExportPartRepository
from accord.progress.adapters.repository import Repository
from accord.progress.handlers import goal_view
from accord.progress.settings import Settings
from accord.shared.clinical_retention import on_episode_records_expired
from accord.shared.db import Connection
from accord.shared.erasure import on_erasure_decided, on_restriction_lifted
from accord.shared.events import Envelope
from accord.shared.events.contracts.progress import (
    ProgressEpisodeRecordsRemoved,
    ProgressErasureApplied,
    ProgressExportPartStored,
    ProgressRestrictionLiftApplied,
)
from accord.shared.exports import ExportParts, on_export_requested
from accord.shared.inbox import EventHandler
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = ("accord.goals.v1",)

RepositoryHandler = Callable[[Repository, Envelope, Any], Awaitable[None]]


def on_repository(handler: RepositoryHandler) -> EventHandler:
    """The inbox's handler: `handler` with the repository on the inbox transaction's connection."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        await handler(Repository(conn), envelope, event)

    return handle


def event_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    """Event type -> handler: the goals service's events build this service's view of goals and care teams."""
    view: dict[str, RepositoryHandler] = {
        "EpisodeOpened": goal_view.on_episode_opened,
        "ParticipantJoined": goal_view.on_participant_joined,
        "ParticipantLeft": goal_view.on_participant_left,
        "EpisodeClosed": goal_view.on_episode_closed,
        "GoalAgreed": goal_view.on_goal_agreed,
        "GoalVisibilityChanged": goal_view.on_goal_visibility_changed,
        "GoalPaused": goal_view.on_goal_paused,
        "GoalResumed": goal_view.on_goal_resumed,
        "GoalClosed": goal_view.on_goal_closed,
    }
    schema = resources.settings.db_schema
    export = on_export_requested(
        "progress",
        partial(ExportPartRepository, schema=schema),
        ExportParts(schema),
        resources.outbox,
        ProgressExportPartStored,
    )
    # An erasure decided: the client's records here are restricted (hidden from every read and use, kept).
    erasure = on_erasure_decided("progress", Repository, resources.outbox, ProgressErasureApplied)
    return {
        **{event_type: on_repository(h) for event_type, h in view.items()},
        "ExportRequested": export,
        "ErasureDecided": erasure,
        "RestrictionLifted": on_restriction_lifted(
            "progress", schema, resources.outbox, ProgressRestrictionLiftApplied
        ),
        # The episode's clinical retention period is over: its records here go, restricted or not.
        "EpisodeRecordsExpired": on_episode_records_expired(
            "progress", schema, EpisodeRecordsRemoval, resources.outbox, ProgressEpisodeRecordsRemoved
        ),
    }
