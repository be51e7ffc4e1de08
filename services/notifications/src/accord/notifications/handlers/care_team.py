"""Keeping this service's view of care teams, goals and client entries; no message comes from these alone."""

from accord.notifications.adapters import care_teams
from accord.shared.db import Connection
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


async def on_episode_opened(conn: Connection, envelope: Envelope, event: EpisodeOpened) -> None:
    await care_teams.episode_opened(conn, envelope.tenant_id, event)


async def on_participant_joined(conn: Connection, envelope: Envelope, event: ParticipantJoined) -> None:
    await care_teams.participant(conn, event.episode_id, event.person_id, event.role, active=True)


async def on_participant_left(conn: Connection, envelope: Envelope, event: ParticipantLeft) -> None:
    await care_teams.participant(conn, event.episode_id, event.person_id, None, active=False)


async def on_episode_closed(conn: Connection, envelope: Envelope, event: EpisodeClosed) -> None:
    await care_teams.episode_closed(conn, event.episode_id, event.closed_at)


async def on_goal_visibility_changed(conn: Connection, envelope: Envelope, event: GoalVisibilityChanged) -> None:
    await care_teams.visibility_changed(conn, event)


async def on_goal_paused(conn: Connection, envelope: Envelope, event: GoalPaused) -> None:
    await care_teams.goal_status(conn, event.goal_id, "paused")


async def on_goal_resumed(conn: Connection, envelope: Envelope, event: GoalResumed) -> None:
    await care_teams.goal_status(conn, event.goal_id, "agreed", resumed_at=envelope.occurred_at)


async def on_goal_closed(conn: Connection, envelope: Envelope, event: GoalClosed) -> None:
    await care_teams.goal_status(conn, event.goal_id, "closed")


async def on_client_entry(
    conn: Connection, envelope: Envelope, event: ProgressRecorded | GoalRatingRecorded | MilestoneChecked
) -> None:
    """Only the client's own entries count as having checked in: a rating the therapist records is not one."""
    if event.recorded_by == event.client_id:
        await care_teams.client_entry(conn, event.goal_id, event.occurred_at)
