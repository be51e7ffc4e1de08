"""Sessions and their feedback in the progress schema (the comment is stored here and nowhere else)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.shared.db import Connection
from accord.shared.events.contracts.common import Role


@dataclass(frozen=True)
class Membership:
    """A person's place in an episode, as this service's view of care teams has it."""

    tenant_id: str
    client_id: UUID
    closed: bool
    role: Role


@dataclass(frozen=True)
class SessionRow:
    session_id: UUID
    episode_id: UUID
    client_id: UUID
    held_at: datetime
    scores: dict[str, int] | None
    comment: str | None
    answered_at: datetime | None
    instrument: str | None
    scheduled: bool = False
    """A scheduled check (no session marked held for a while), not a session a therapist marked."""


@dataclass(frozen=True)
class QuietEpisode:
    """An open episode and when its last session was (or it was opened, if it has had none)."""

    tenant_id: str
    episode_id: UUID
    client_id: UUID
    last_at: datetime


class Sessions:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def membership(self, tenant_id: str, episode_id: UUID, person_id: UUID) -> Membership | None:
        row = await self.conn.fetchrow(
            "SELECT e.tenant_id, e.client_id, e.closed, m.role FROM episodes e JOIN episode_members m "
            "USING (episode_id) WHERE e.episode_id = $1 AND e.tenant_id = $2 AND m.person_id = $3",
            episode_id,
            tenant_id,
            person_id,
        )
        if row is None:
            return None
        return Membership(row["tenant_id"], row["client_id"], row["closed"], Role(row["role"]))

    async def add_session(
        self,
        *,
        session_id: UUID,
        tenant_id: str,
        episode_id: UUID,
        client_id: UUID,
        held_at: datetime,
        held_by: UUID | None,
        scheduled: bool = False,
    ) -> bool:
        """False if the session id is already known (a resend, or another worker's sweep: the first stays)."""
        status = await self.conn.execute(
            "INSERT INTO sessions (session_id, tenant_id, episode_id, client_id, held_at, held_by, scheduled) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id) DO NOTHING",
            session_id,
            tenant_id,
            episode_id,
            client_id,
            held_at,
            held_by,
            scheduled,
        )
        return bool(status == "INSERT 0 1")

    async def quiet_episodes(self, since: datetime) -> list[QuietEpisode]:
        """Open episodes of clients not restricted whose last session (or opening, if none) is before `since`."""
        rows = await self.conn.fetch(
            "SELECT * FROM (SELECT e.tenant_id, e.episode_id, e.client_id, greatest(e.opened_at, "
            "(SELECT max(s.held_at) FROM sessions s WHERE s.episode_id = e.episode_id)) AS last_at "
            "FROM episodes e WHERE NOT e.closed AND e.client_id NOT IN "
            "(SELECT r.client_id FROM restricted_clients r WHERE r.tenant_id = e.tenant_id)) open "
            "WHERE last_at < $1",
            since,
        )
        return [QuietEpisode(r["tenant_id"], r["episode_id"], r["client_id"], r["last_at"]) for r in rows]

    async def session(self, session_id: UUID, *, for_update: bool = False) -> SessionRow | None:
        lock = " FOR UPDATE OF s" if for_update else ""
        row = await self.conn.fetchrow(_SESSIONS + "WHERE s.session_id = $1" + lock, session_id)
        return None if row is None else _session(row)

    async def add_feedback(
        self,
        *,
        session_id: UUID,
        tenant_id: str,
        episode_id: UUID,
        client_id: UUID,
        instrument: str,
        scores: dict[str, int],
        comment: str | None,
        occurred_at: datetime,
    ) -> bool:
        """False if the session already has its answer: one per session, whoever races."""
        status = await self.conn.execute(
            "INSERT INTO session_feedback (session_id, tenant_id, episode_id, client_id, instrument, scores, comment, "
            "occurred_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) ON CONFLICT (session_id) DO NOTHING",
            session_id,
            tenant_id,
            episode_id,
            client_id,
            instrument,
            json.dumps(scores),
            comment,
            occurred_at,
        )
        return bool(status == "INSERT 0 1")

    async def latest_overall_answers(self, episode_id: UUID, limit: int) -> list[tuple[UUID, int]]:
        """The episode's latest overall feedback answers (session, answer), oldest first, in the order they were
        given (as reporting orders them for its warnings)."""
        rows = await self.conn.fetch(
            "SELECT session_id, overall FROM (SELECT (scores->>'overall')::int AS overall, occurred_at, session_id "
            "FROM session_feedback WHERE episode_id = $1 ORDER BY occurred_at DESC, session_id::text DESC LIMIT $2) "
            "latest ORDER BY occurred_at, session_id::text",
            episode_id,
            limit,
        )
        return [(r["session_id"], r["overall"]) for r in rows]

    async def of_episode(self, episode_id: UUID, limit: int) -> list[SessionRow]:
        """The episode's latest sessions, oldest first, each with its answer if given."""
        rows = await self.conn.fetch(
            "SELECT * FROM (" + _SESSIONS + "WHERE s.episode_id = $1 ORDER BY s.held_at DESC LIMIT $2) latest "
            "ORDER BY held_at",
            episode_id,
            limit,
        )
        return [_session(r) for r in rows]


_SESSIONS = (
    "SELECT s.session_id, s.episode_id, s.client_id, s.held_at, s.scheduled, f.scores, f.comment, "
    "f.occurred_at AS answered_at, f.instrument FROM sessions s LEFT JOIN session_feedback f USING (session_id) "
)


def _session(row: Any) -> SessionRow:
    return SessionRow(
        session_id=row["session_id"],
        episode_id=row["episode_id"],
        client_id=row["client_id"],
        held_at=row["held_at"],
        scores=None if row["scores"] is None else json.loads(row["scores"]),
        comment=row["comment"],
        answered_at=row["answered_at"],
        instrument=row["instrument"],
        scheduled=row["scheduled"],
    )
