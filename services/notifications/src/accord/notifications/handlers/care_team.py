"""Keeping this service's view of care teams, goals and client entries; no message comes from these alone. Each
handler takes the care-team repository (`handlers.event_handlers` gives it the repository's, on the inbox's
connection)."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from accord.notifications.handlers.ports import CareTeamStore
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import (
    EpisodeClosed,
    EpisodeOpened,
    GoalClosed,
    GoalPaused,
    GoalResumed,
    GoalVisibilityChanged,
    ParticipantJoined,
    ParticipantLeft,
)
from accord.shared.events.contracts.progress import GoalRatingRecorded, MilestoneChecked, ProgressRecorded
from accord.shared.inbox import Delivered


async def on_episode_opened(teams: CareTeamStore, envelope: Envelope, event: EpisodeOpened) -> None:
    await teams.episode_opened(envelope.tenant_id, event)


async def on_participant_joined(teams: CareTeamStore, envelope: Envelope, event: ParticipantJoined) -> None:
    await teams.participant(event.episode_id, event.person_id, event.role, active=True)


async def on_participant_left(teams: CareTeamStore, envelope: Envelope, event: ParticipantLeft) -> None:
    await teams.participant(event.episode_id, event.person_id, None, active=False)


async def on_episode_closed(teams: CareTeamStore, envelope: Envelope, event: EpisodeClosed) -> None:
    await teams.episode_closed(event.episode_id, event.closed_at)


async def on_goal_visibility_changed(teams: CareTeamStore, envelope: Envelope, event: GoalVisibilityChanged) -> None:
    await teams.visibility_changed(event)


async def on_goal_paused(teams: CareTeamStore, envelope: Envelope, event: GoalPaused) -> None:
    await teams.goal_status(event.goal_id, "paused")


async def on_goal_resumed(teams: CareTeamStore, envelope: Envelope, event: GoalResumed) -> None:
    await teams.goal_status(event.goal_id, "agreed", resumed_at=envelope.occurred_at)


async def on_goal_closed(teams: CareTeamStore, envelope: Envelope, event: GoalClosed) -> None:
    await teams.goal_status(event.goal_id, "closed")


async def on_client_entries(teams: CareTeamStore, delivered: Sequence[Delivered]) -> None:
    """A batch's entries (`ProgressRecorded`, `GoalRatingRecorded`, `MilestoneChecked`) in one write: each goal's
    latest. Only the client's own entries count as having checked in: a rating the therapist records is not one."""
    latest: dict[UUID, datetime] = {}
    for d in delivered:
        event: ProgressRecorded | GoalRatingRecorded | MilestoneChecked = d.event
        if event.recorded_by == event.client_id:
            latest[event.goal_id] = max(event.occurred_at, latest.get(event.goal_id, event.occurred_at))
    await teams.client_entries(latest)
