"""The record of who allowed which family members to see a goal, and when (`visibility_changes`)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from accord.goals.domain.goals import Goal
from accord.shared.db import Connection


@dataclass(frozen=True)
class VisibilityChange:
    changed_at: datetime
    changed_by: UUID
    visibility: str
    shared_with: list[UUID]
    cause: str
    """What the person did: `made shared`, `made private`, or the step that shared it with a family member named
    on the goal (for example `proposed revision`)."""


async def record_if_changed(conn: Connection, goal: Goal, *, new: bool = False) -> None:
    """Before the goal is written: a row if what family members may see differs from what is stored (or, for a
    new goal, from private and no one). Who and when are the goal's latest history entry: the step being saved."""
    step = goal.history[-1]
    stored = (
        "SELECT 'private'::text, '{}'::uuid[]"
        if new
        else "SELECT visibility, shared_with FROM goals WHERE goal_id = $1"
    )
    await conn.execute(
        f"""
        WITH stored(visibility, shared_with) AS ({stored})
        INSERT INTO visibility_changes (tenant_id, goal_id, client_id, changed_by, changed_at, visibility, shared_with,
                                        cause)
        SELECT $2, $1, $3, $4, $5, $6, $7, $8 FROM stored
        WHERE (stored.visibility, stored.shared_with) IS DISTINCT FROM ($6::text, $7::uuid[])""",
        goal.goal_id,
        goal.tenant_id,
        goal.client_id,
        step.actor,
        step.at,
        goal.visibility.value,
        goal.shared_with,
        step.action,
    )


async def of_goal(conn: Connection, goal_id: UUID) -> list[VisibilityChange]:
    rows = await conn.fetch(
        "SELECT changed_at, changed_by, visibility, shared_with, cause FROM visibility_changes WHERE goal_id = $1 "
        "ORDER BY id",
        goal_id,
    )
    return [
        VisibilityChange(r["changed_at"], r["changed_by"], r["visibility"], list(r["shared_with"]), r["cause"])
        for r in rows
    ]
