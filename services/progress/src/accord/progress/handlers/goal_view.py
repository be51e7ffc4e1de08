"""The progress service's own view of care teams and goals, built only from the goals service's events.

Events of one client arrive in order (the goals topic is keyed by client); each handler still refuses to go
backwards (an older goal version never replaces a newer one), so replays and duplicates leave the view as it was.
Each handler takes the service's repository (see `handlers.event_handlers`, which gives it one on the inbox's
connection).
"""

from accord.progress.adapters.repository import Repository
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev


async def on_episode_opened(repo: Repository, envelope: Envelope, e: ev.EpisodeOpened) -> None:
    await repo.add_episode(envelope.tenant_id, e.episode_id, e.client_id, e.lead_therapist_id, e.team_id, e.opened_at)


async def on_participant_joined(repo: Repository, envelope: Envelope, e: ev.ParticipantJoined) -> None:
    await repo.set_member(e.episode_id, e.person_id, e.role)


async def on_participant_left(repo: Repository, envelope: Envelope, e: ev.ParticipantLeft) -> None:
    await repo.remove_member(e.episode_id, e.person_id)


async def on_episode_closed(repo: Repository, envelope: Envelope, e: ev.EpisodeClosed) -> None:
    await repo.close_episode(e.episode_id)


async def on_goal_agreed(repo: Repository, envelope: Envelope, e: ev.GoalAgreed) -> None:
    await repo.agree_goal(envelope.tenant_id, e)


async def on_goal_visibility_changed(repo: Repository, envelope: Envelope, e: ev.GoalVisibilityChanged) -> None:
    await repo.set_visibility(e.goal_id, e.visibility, e.shared_with)


async def on_goal_paused(repo: Repository, envelope: Envelope, e: ev.GoalPaused) -> None:
    await repo.set_status(e.goal_id, "paused")


async def on_goal_resumed(repo: Repository, envelope: Envelope, e: ev.GoalResumed) -> None:
    await repo.set_status(e.goal_id, "active")


async def on_goal_closed(repo: Repository, envelope: Envelope, e: ev.GoalClosed) -> None:
    await repo.set_status(e.goal_id, "closed")
