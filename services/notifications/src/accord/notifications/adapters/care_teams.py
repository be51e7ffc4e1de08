"""This service's own view of care teams and goals, kept from the goals and progress services' events.

Every write is an idempotent upsert: the inbox removes duplicates, but events about one client can still arrive
from two topics in either order, and events about episodes or goals this service never saw must not fail.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from accord.notifications.domain.audience import CareTeam, GoalAccess
from accord.shared.db import Connection
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.contracts.goals import EpisodeOpened, GoalAgreed, GoalProposed, GoalVisibilityChanged


@dataclass(frozen=True)
class KnownGoal:
    goal_id: UUID
    client_id: UUID
    episode_id: UUID
    access: GoalAccess


@dataclass(frozen=True)
class DueCheckIn:
    """An agreed goal whose check-in came round, with its client's latest entry for it."""

    goal_id: UUID
    tenant_id: str
    client_id: UUID
    next_check_in_at: datetime
    review_interval: timedelta
    last_entry_at: datetime | None


_DUE_CHECK_INS = """
SELECT g.goal_id, g.tenant_id, g.client_id, g.next_check_in_at, g.review_interval_days, e.last_entry_at
FROM goals g LEFT JOIN client_entries e ON e.goal_id = g.goal_id
WHERE g.status = 'agreed' AND g.next_check_in_at <= $1
ORDER BY g.next_check_in_at
LIMIT $2
FOR UPDATE OF g SKIP LOCKED
"""


class CareTeams:
    """The care-team view's repository, on one connection (the inbox transaction's, or the check-in sweep's)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def episode_opened(self, tenant_id: str, event: EpisodeOpened) -> None:
        await self.conn.execute(
            "INSERT INTO episodes (episode_id, tenant_id, client_id, lead_therapist_id) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (episode_id) DO NOTHING",
            event.episode_id,
            tenant_id,
            event.client_id,
            event.lead_therapist_id,
        )

    async def episode_closed(self, episode_id: UUID, closed_at: datetime) -> None:
        await self.conn.execute("UPDATE episodes SET closed_at = $2 WHERE episode_id = $1", episode_id, closed_at)
        await self.conn.execute("UPDATE goals SET status = 'closed' WHERE episode_id = $1", episode_id)

    async def participant(self, episode_id: UUID, person_id: UUID, role: Role | None, active: bool) -> None:
        """Joined (with a role) or left (role None: keeps the one it had)."""
        await self.conn.execute(
            "INSERT INTO participants (episode_id, person_id, role, active) "
            "VALUES ($1, $2, coalesce($3, 'unknown'), $4) "
            "ON CONFLICT (episode_id, person_id) DO UPDATE SET role = coalesce($3, participants.role), active = $4",
            episode_id,
            person_id,
            None if role is None else role.value,
            active,
        )

    async def goal_proposed(self, tenant_id: str, event: GoalProposed) -> None:
        await self.conn.execute(
            "INSERT INTO goals (goal_id, tenant_id, client_id, episode_id, status, visibility, shared_with) "
            "VALUES ($1, $2, $3, $4, 'proposed', $5, $6) ON CONFLICT (goal_id) DO NOTHING",
            event.goal_id,
            tenant_id,
            event.client_id,
            event.episode_id,
            event.visibility.value,
            list(event.shared_with),
        )

    async def goal_agreed(self, tenant_id: str, event: GoalAgreed) -> None:
        """An agreed version (the first or a revision) restarts the check-in schedule from its agreement."""
        interval = timedelta(days=event.review_interval_days)
        await self.conn.execute(
            "INSERT INTO goals (goal_id, tenant_id, client_id, episode_id, status, visibility, shared_with, "
            "review_interval_days, next_check_in_at) VALUES ($1, $2, $3, $4, 'agreed', $5, $6, $7, $8) "
            "ON CONFLICT (goal_id) DO UPDATE SET status = CASE WHEN goals.status = 'closed' THEN 'closed' ELSE "
            "'agreed' END, visibility = $5, shared_with = $6, review_interval_days = $7, next_check_in_at = $8",
            event.goal_id,
            tenant_id,
            event.client_id,
            event.episode_id,
            event.visibility.value,
            list(event.shared_with),
            event.review_interval_days,
            event.agreed_at + interval,
        )

    async def visibility_changed(self, event: GoalVisibilityChanged) -> None:
        await self.conn.execute(
            "UPDATE goals SET visibility = $2, shared_with = $3 WHERE goal_id = $1",
            event.goal_id,
            event.visibility.value,
            list(event.shared_with),
        )

    async def goal_status(self, goal_id: UUID, status: str, resumed_at: datetime | None = None) -> None:
        """Paused, resumed (`agreed`, check-ins restart from `resumed_at`) or closed; a closed goal stays closed."""
        await self.conn.execute(
            "UPDATE goals SET status = $2, next_check_in_at = CASE WHEN $3::timestamptz IS NULL THEN next_check_in_at "
            "ELSE $3 + make_interval(days => review_interval_days) END WHERE goal_id = $1 AND status <> 'closed'",
            goal_id,
            status,
            resumed_at,
        )

    async def client_entries(self, latest: Mapping[UUID, datetime]) -> None:
        """Each goal's latest client entry of a batch, in one statement (one row per goal: a statement may not
        update a row twice); an earlier one than the entry already noted changes nothing."""
        if not latest:
            return
        await self.conn.execute(
            "INSERT INTO client_entries (goal_id, last_entry_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) "
            "ON CONFLICT (goal_id) DO UPDATE "
            "SET last_entry_at = greatest(client_entries.last_entry_at, EXCLUDED.last_entry_at)",
            list(latest),
            list(latest.values()),
        )

    async def goal(self, tenant_id: str, goal_id: UUID) -> KnownGoal | None:
        row = await self.conn.fetchrow(
            "SELECT goal_id, client_id, episode_id, visibility, shared_with FROM goals "
            "WHERE tenant_id = $1 AND goal_id = $2",
            tenant_id,
            goal_id,
        )
        if row is None:
            return None
        access = GoalAccess(Visibility(row["visibility"]), frozenset(row["shared_with"]))
        return KnownGoal(row["goal_id"], row["client_id"], row["episode_id"], access)

    async def team_of_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> CareTeam:
        """The episode's team; just the client when the episode is unknown."""
        return await self._team(tenant_id, client_id, "AND episode_id = $3", episode_id)

    async def team_of_client(self, tenant_id: str, client_id: UUID) -> CareTeam:
        """Everyone on the client's open episodes; if none is open, on any episode this service has seen."""
        team = await self._team(tenant_id, client_id, "AND closed_at IS NULL")
        return team if team.therapists else await self._team(tenant_id, client_id, "")

    async def _team(self, tenant_id: str, client_id: UUID, where: str, *args: object) -> CareTeam:
        episodes = await self.conn.fetch(
            f"SELECT episode_id, lead_therapist_id FROM episodes WHERE tenant_id = $1 AND client_id = $2 {where}",
            tenant_id,
            client_id,
            *args,
        )
        if not episodes:
            return CareTeam(client_id)
        people = await self.conn.fetch(
            "SELECT episode_id, person_id, role, active FROM participants WHERE episode_id = ANY($1::uuid[])",
            [e["episode_id"] for e in episodes],
        )
        left = {(p["episode_id"], p["person_id"]) for p in people if not p["active"]}
        therapists = {e["lead_therapist_id"] for e in episodes if (e["episode_id"], e["lead_therapist_id"]) not in left}
        therapists |= {p["person_id"] for p in people if p["active"] and p["role"] == Role.THERAPIST.value}
        family = {p["person_id"] for p in people if p["active"] and p["role"] == Role.FAMILY.value}
        return CareTeam(client_id, frozenset(therapists), frozenset(family))

    async def claim_due_check_ins(self, now: datetime, limit: int) -> list[DueCheckIn]:
        """The goals whose check-in is due, locked for the caller's transaction; goals another transaction holds are
        skipped (it is reminding them)."""
        rows = await self.conn.fetch(_DUE_CHECK_INS, now, limit)
        return [
            DueCheckIn(
                r["goal_id"],
                r["tenant_id"],
                r["client_id"],
                r["next_check_in_at"],
                timedelta(days=r["review_interval_days"]),
                r["last_entry_at"],
            )
            for r in rows
        ]

    async def move_check_in(self, goal_id: UUID, next_at: datetime) -> None:
        await self.conn.execute("UPDATE goals SET next_check_in_at = $2 WHERE goal_id = $1", goal_id, next_at)
