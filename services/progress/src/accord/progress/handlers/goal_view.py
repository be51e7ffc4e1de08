"""The progress service's own view of care teams and goals, built only from the goals service's events.

Events of one client arrive in order (the goals topic is keyed by client); each handler still refuses to go
backwards (an older goal version never replaces a newer one), so replays and duplicates leave the view as it was.
"""

from typing import Any

from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role


async def on_episode_opened(conn: Connection, envelope: Envelope, e: ev.EpisodeOpened) -> None:
    await conn.execute(
        "INSERT INTO episodes (episode_id, tenant_id, client_id, lead_therapist_id, team_id, opened_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (episode_id) DO NOTHING",
        e.episode_id,
        envelope.tenant_id,
        e.client_id,
        e.lead_therapist_id,
        e.team_id,
        e.opened_at,
    )
    await conn.executemany(
        "INSERT INTO episode_members (episode_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [(e.episode_id, e.client_id, Role.CLIENT.value), (e.episode_id, e.lead_therapist_id, Role.THERAPIST.value)],
    )


async def on_participant_joined(conn: Connection, envelope: Envelope, e: ev.ParticipantJoined) -> None:
    await conn.execute(
        "INSERT INTO episode_members (episode_id, person_id, role) VALUES ($1, $2, $3) "
        "ON CONFLICT (episode_id, person_id) DO UPDATE SET role = excluded.role",
        e.episode_id,
        e.person_id,
        e.role.value,
    )


async def on_participant_left(conn: Connection, envelope: Envelope, e: ev.ParticipantLeft) -> None:
    await conn.execute(
        "DELETE FROM episode_members WHERE episode_id = $1 AND person_id = $2", e.episode_id, e.person_id
    )


async def on_episode_closed(conn: Connection, envelope: Envelope, e: ev.EpisodeClosed) -> None:
    await conn.execute("UPDATE episodes SET closed = true WHERE episode_id = $1", e.episode_id)


async def on_goal_agreed(conn: Connection, envelope: Envelope, e: ev.GoalAgreed) -> None:
    await conn.execute(
        "INSERT INTO goals (goal_id, tenant_id, client_id, episode_id, version, status, terms, visibility, "
        "shared_with) VALUES ($1, $2, $3, $4, $5, 'active', $6::jsonb, $7, $8) "
        "ON CONFLICT (goal_id) DO UPDATE SET version = excluded.version, terms = excluded.terms, "
        "visibility = excluded.visibility, shared_with = excluded.shared_with "
        "WHERE goals.version < excluded.version",
        e.goal_id,
        envelope.tenant_id,
        e.client_id,
        e.episode_id,
        e.version,
        e.model_dump_json(),
        e.visibility.value,
        list(e.shared_with),
    )


async def on_goal_visibility_changed(conn: Connection, envelope: Envelope, e: ev.GoalVisibilityChanged) -> None:
    await conn.execute(
        "UPDATE goals SET visibility = $2, shared_with = $3 WHERE goal_id = $1",
        e.goal_id,
        e.visibility.value,
        list(e.shared_with),
    )


async def _set_status(conn: Connection, goal_id: Any, status: str) -> None:
    # A closed goal stays closed, whatever arrives after.
    await conn.execute("UPDATE goals SET status = $2 WHERE goal_id = $1 AND status <> 'closed'", goal_id, status)


async def on_goal_paused(conn: Connection, envelope: Envelope, e: ev.GoalPaused) -> None:
    await _set_status(conn, e.goal_id, "paused")


async def on_goal_resumed(conn: Connection, envelope: Envelope, e: ev.GoalResumed) -> None:
    await _set_status(conn, e.goal_id, "active")


async def on_goal_closed(conn: Connection, envelope: Envelope, e: ev.GoalClosed) -> None:
    await _set_status(conn, e.goal_id, "closed")
