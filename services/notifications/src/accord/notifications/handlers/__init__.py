"""One handler function per command or event."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

from accord.notifications.adapters.clinical_retention import EpisodeRecordsRemoval
from accord.notifications.adapters.erasure import Erasure
from accord.notifications.adapters.exports import ExportPartRepository
from accord.notifications.adapters.repository import Repository
from accord.notifications.handlers import care_team
from accord.notifications.handlers.planning import Planner
from accord.notifications.handlers.ports import CareTeamStore, NotificationsRepository
from accord.notifications.handlers.triggers import Triggers
from accord.notifications.settings import Settings
from accord.shared.clinical_retention import on_episode_records_expired
from accord.shared.db import Connection
from accord.shared.erasure import on_erasure_decided, on_restriction_lifted
from accord.shared.events import Envelope
from accord.shared.events.contracts.notifications import (
    NotificationsEpisodeRecordsRemoved,
    NotificationsErasureApplied,
    NotificationsExportPartStored,
    NotificationsRestrictionLiftApplied,
)
from accord.shared.exports import ExportParts, on_export_requested
from accord.shared.inbox import BatchEffect, Delivered, EventHandler
from accord.shared.outbox import Outbox
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = (
    "accord.goals.v1",
    "accord.progress.v1",
)


RepositoryHandler = Callable[[NotificationsRepository, Envelope, Any], Awaitable[None]]
CareTeamHandler = Callable[[CareTeamStore, Envelope, Any], Awaitable[None]]


def on_repository(handler: RepositoryHandler, outbox: Outbox) -> EventHandler:
    """The inbox's handler: `handler` with the repository on the inbox transaction's connection."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        await handler(Repository(conn, outbox), envelope, event)

    return handle


def on_care_teams(handler: CareTeamHandler) -> RepositoryHandler:
    """`handler` given the repository's care-team view."""

    async def handle(repo: NotificationsRepository, envelope: Envelope, event: Any) -> None:
        await handler(repo.care_teams, envelope, event)

    return handle


def event_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    """Event type -> handler, for the events this service reacts to."""
    triggers = Triggers(Planner(resources.settings))
    schema = resources.settings.db_schema
    export = on_export_requested(
        "notifications",
        partial(ExportPartRepository, schema=schema),
        ExportParts(schema),
        resources.outbox,
        NotificationsExportPartStored,
    )

    def then_replay_held(handler: RepositoryHandler) -> RepositoryHandler:
        """A change to a care team may be what a held progress trigger was waiting for."""

        async def handle(repo: NotificationsRepository, envelope: Envelope, event: Any) -> None:
            await handler(repo, envelope, event)
            await triggers.replay_held(repo, envelope, event)

        return handle

    handlers: dict[str, RepositoryHandler] = {
        "EpisodeOpened": then_replay_held(on_care_teams(care_team.on_episode_opened)),
        "ParticipantJoined": then_replay_held(on_care_teams(care_team.on_participant_joined)),
        "ParticipantLeft": on_care_teams(care_team.on_participant_left),
        "EpisodeClosed": on_care_teams(care_team.on_episode_closed),
        "GoalProposed": then_replay_held(triggers.on_goal_proposed),
        "GoalRevisionProposed": triggers.on_goal_revision_proposed,
        "GoalAgreed": then_replay_held(triggers.on_goal_agreed),
        "AlignmentDivergenceRaised": triggers.on_divergence_raised,
        "GoalVisibilityChanged": on_care_teams(care_team.on_goal_visibility_changed),
        "GoalPaused": on_care_teams(care_team.on_goal_paused),
        "GoalResumed": on_care_teams(care_team.on_goal_resumed),
        "GoalClosed": on_care_teams(care_team.on_goal_closed),
        "MilestoneReached": triggers.on_progress_trigger,
        "GoalTargetReached": triggers.on_progress_trigger,
        "ReviewSuggested": triggers.on_progress_trigger,
        "SafetySignalRaised": triggers.on_progress_trigger,
        "SessionFeedbackConcernRaised": triggers.on_progress_trigger,
        "SessionHeld": triggers.on_session_held,
        "FeedbackCheckScheduled": triggers.on_session_held,
    }
    outbox = resources.outbox

    async def client_entries(conn: Connection, delivered: Sequence[Delivered]) -> None:
        await care_team.on_client_entries(Repository(conn, outbox).care_teams, delivered)

    # A client's entries: one write per batch (one effect for the three types, so that they batch together).
    entries = BatchEffect(client_entries)
    erasure = on_erasure_decided("notifications", partial(Erasure, schema=schema), outbox, NotificationsErasureApplied)
    return {
        **{t: on_repository(h, outbox) for t, h in handlers.items()},
        **dict.fromkeys(("ProgressRecorded", "GoalRatingRecorded", "MilestoneChecked"), entries),
        "ExportRequested": export,
        "ErasureDecided": erasure,
        "RestrictionLifted": on_restriction_lifted(
            "notifications", schema, outbox, NotificationsRestrictionLiftApplied
        ),
        # The episode's clinical retention period is over: this service's view of it goes too.
        "EpisodeRecordsExpired": on_episode_records_expired(
            "notifications",
            schema,
            partial(EpisodeRecordsRemoval, schema=schema),
            outbox,
            NotificationsEpisodeRecordsRemoved,
        ),
    }
