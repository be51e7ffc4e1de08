"""Episodes and goals in the goals schema. Each aggregate is one JSON document plus the columns queries need;
`revision` is the optimistic-concurrency counter behind ETags."""

from datetime import datetime
from uuid import UUID

from accord.goals.adapters import visibility_changes
from accord.goals.adapters.episode_keys import create_key
from accord.goals.domain.episodes import Episode
from accord.goals.domain.goals import ACTIVE_STATES, Goal, GoalStatus
from accord.shared.db import Connection
from accord.shared.events.contracts.common import Role

# A restricted client's episodes and goals are kept but hidden from every read and use (an erasure was decided):
# to this service they are as if they did not exist.
NOT_RESTRICTED = "client_id NOT IN (SELECT client_id FROM restricted_clients WHERE tenant_id = $1)"


class Repository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- episodes ----------------------------------------------------------------------------------------------
    async def episode(self, tenant_id: str, episode_id: UUID, *, for_update: bool = False) -> Episode | None:
        lock = " FOR UPDATE" if for_update else ""
        doc = await self.conn.fetchval(
            f"SELECT doc FROM episodes WHERE tenant_id = $1 AND episode_id = $2 AND {NOT_RESTRICTED}{lock}",
            tenant_id,
            episode_id,
        )
        return Episode.model_validate_json(doc) if doc else None

    async def add_episode(self, episode: Episode, key_announced_under: str) -> bytes:
        """Stores a new episode with its own new data key (`accord.shared.episode_keys`), which it answers; the key is
        announced under the wrapping key named."""
        await self.conn.execute(
            "INSERT INTO episodes (episode_id, tenant_id, client_id, lead_therapist_id, team_id, status, opened_at, "
            "doc, revision, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
            episode.episode_id,
            episode.tenant_id,
            episode.client_id,
            episode.lead_therapist_id,
            episode.team_id,
            episode.status.value,
            episode.opened_at,
            episode.model_dump_json(),
            episode.closed_at,
        )
        await self._sync_members(episode)
        return await create_key(self.conn, None, episode.tenant_id, episode.episode_id, key_announced_under)

    async def save_episode(self, episode: Episode) -> None:
        await self.conn.execute(
            # closed_at is kept beside the document for the clinical retention sweep's index (migration 0011).
            "UPDATE episodes SET status = $2, doc = $3, closed_at = $4, revision = revision + 1 WHERE episode_id = $1",
            episode.episode_id,
            episode.status.value,
            episode.model_dump_json(),
            episode.closed_at,
        )
        await self._sync_members(episode)

    async def _sync_members(self, episode: Episode) -> None:
        await self.conn.execute("DELETE FROM episode_members WHERE episode_id = $1", episode.episode_id)
        await self.conn.executemany(
            "INSERT INTO episode_members (episode_id, person_id, role) VALUES ($1, $2, $3)",
            [(episode.episode_id, p.person_id, p.role.value) for p in episode.participants],
        )

    async def episodes_of(
        self, tenant_id: str, person_id: UUID, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Episode]:
        rows = await self.conn.fetch(
            "SELECT e.doc FROM episodes e JOIN episode_members m USING (episode_id) "
            f"WHERE e.tenant_id = $1 AND m.person_id = $2 AND e.{NOT_RESTRICTED} AND ($3::timestamptz IS NULL OR "
            "(e.opened_at, e.episode_id) > ($3::timestamptz, $4::uuid)) ORDER BY e.opened_at, e.episode_id LIMIT $5",
            tenant_id,
            person_id,
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
        )
        return [Episode.model_validate_json(r["doc"]) for r in rows]

    # --- goals -------------------------------------------------------------------------------------------------
    async def goal(self, tenant_id: str, goal_id: UUID, *, for_update: bool = False) -> tuple[Goal, int] | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT doc, revision FROM goals WHERE tenant_id = $1 AND goal_id = $2 AND {NOT_RESTRICTED}{lock}",
            tenant_id,
            goal_id,
        )
        return (Goal.model_validate_json(row["doc"]), row["revision"]) if row else None

    async def add_goal(self, goal: Goal, now: datetime) -> int:
        await self._add_goal_row(goal, now)
        await visibility_changes.record_if_changed(self.conn, goal, new=True)
        return 1

    async def _add_goal_row(self, goal: Goal, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO goals (goal_id, tenant_id, episode_id, client_id, created_by, status, visibility, "
            "shared_with, created_at, doc, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
            goal.goal_id,
            goal.tenant_id,
            goal.episode_id,
            goal.client_id,
            goal.created_by,
            goal.status.value,
            goal.visibility.value,
            goal.shared_with,
            now,
            goal.model_dump_json(),
        )

    async def save_goal(self, goal: Goal) -> int:
        await visibility_changes.record_if_changed(self.conn, goal)
        revision: int = await self.conn.fetchval(
            "UPDATE goals SET status = $2, visibility = $3, shared_with = $4, doc = $5, revision = revision + 1 "
            "WHERE goal_id = $1 RETURNING revision",
            goal.goal_id,
            goal.status.value,
            goal.visibility.value,
            goal.shared_with,
            goal.model_dump_json(),
        )
        return revision

    async def goals_in_play(self, episode_id: UUID, other_than: UUID) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM goals WHERE episode_id = $1 AND goal_id <> $2 AND status = ANY($3::text[])",
            episode_id,
            other_than,
            [s.value for s in ACTIVE_STATES],
        )
        return count

    async def goals_visible_to(
        self,
        episode_id: UUID,
        person_id: UUID,
        role: Role,
        statuses: list[GoalStatus],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[tuple[Goal, int]]:
        """The episode's goals this person may see; family members only the ones shared with them (in SQL, so
        that page sizes and counts never reveal a private goal)."""
        rows = await self.conn.fetch(
            "SELECT doc, revision FROM goals WHERE episode_id = $1 "
            "AND ($2 OR created_by = $3 OR (visibility = 'shared' AND $3 = ANY(shared_with))) "
            "AND (cardinality($4::text[]) = 0 OR status = ANY($4::text[])) "
            "AND ($5::timestamptz IS NULL OR (created_at, goal_id) > ($5::timestamptz, $6::uuid)) "
            "ORDER BY created_at, goal_id LIMIT $7",
            episode_id,
            role in (Role.CLIENT, Role.THERAPIST),
            person_id,
            [s.value for s in statuses],
            None if after is None else after[0],
            None if after is None else after[1],
            limit,
        )
        return [(Goal.model_validate_json(r["doc"]), r["revision"]) for r in rows]

    async def created_at(self, goal_id: UUID) -> datetime:
        value: datetime = await self.conn.fetchval("SELECT created_at FROM goals WHERE goal_id = $1", goal_id)
        return value
