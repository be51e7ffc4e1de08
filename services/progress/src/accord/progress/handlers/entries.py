"""Recording an entry against a goal, and the decisions it leads to, in one transaction."""

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from accord.progress.adapters.repository import GoalView
from accord.progress.domain.commands import EntryKind, RecordEntry
from accord.progress.domain.progress import achievement_status, threshold_decisions
from accord.progress.handlers.context import Context
from accord.shared.errors import Conflict, Invalid, WrongState
from accord.shared.events import IntegrationEvent
from accord.shared.events.contracts import progress as ev
from accord.shared.events.contracts.common import MilestoneKind, Role


@dataclass(frozen=True)
class Recorded:
    entry: asyncpg.Record
    duplicate: bool


async def record_entry(ctx: Context, c: RecordEntry) -> Recorded:
    # The goal row is locked: entries for one goal are decided one after another, so a decision is made once.
    goal, role = await ctx.goal(c.goal_id, "record entry", for_update=True)
    if (existing := await ctx.repo.entry(c.entry_id)) is not None:
        if existing["goal_id"] == c.goal_id and existing["recorded_by"] == ctx.actor.subject:
            return Recorded(existing, duplicate=True)  # a resend: the original result, nothing new
        raise Conflict("this entry id is already used")
    if goal.status != "active":
        raise WrongState(f"the goal is {goal.status}: entries can be recorded only for an active goal")
    _check_value(goal, c)
    ctx.check_time(c.occurred_at, await ctx.repo.episode_opened_at(goal.terms.episode_id))
    t = goal.terms
    await ctx.repo.add_entry(
        entry_id=c.entry_id,
        tenant_id=ctx.actor.tenant_id,
        client_id=t.client_id,
        goal_id=t.goal_id,
        goal_version=t.version,
        kind=c.kind.value,
        value=c.value,
        milestone_id=c.milestone_id,
        occurred_at=c.occurred_at,
        recorded_by=ctx.actor.subject,
        recorded_by_role=role.value,
        note=c.note,
    )
    ctx.events.append(_recorded_event(goal, c, role, ctx.actor.subject))
    ctx.events += await decide(ctx, goal, c)
    entry = await ctx.repo.entry(c.entry_id)
    assert entry is not None
    return Recorded(entry, duplicate=False)


def _check_value(goal: GoalView, c: RecordEntry) -> None:
    measure = goal.terms.measure
    if c.kind is EntryKind.MEASUREMENT:
        if c.value is None or not measure.minimum <= c.value <= measure.maximum:
            raise Invalid("value", f"a measurement must be between {measure.minimum:g} and {measure.maximum:g}")
    elif c.kind is EntryKind.RATING:
        if c.value is None or c.value != int(c.value) or not 0 <= c.value <= 10:
            raise Invalid("value", "a goal rating is a whole number from 0 to 10")
    else:
        actions = {m.milestone_id for m in goal.terms.milestones if m.kind is MilestoneKind.ACTION}
        if c.milestone_id not in actions:
            raise Invalid("milestone_id", "not an action milestone of this goal")


def _recorded_event(goal: GoalView, c: RecordEntry, role: Role, by: UUID) -> IntegrationEvent:
    t = goal.terms
    if c.kind is EntryKind.MILESTONE_CHECK:
        assert c.milestone_id is not None
        return ev.MilestoneChecked(
            client_id=t.client_id,
            entry_id=c.entry_id,
            goal_id=t.goal_id,
            milestone_id=c.milestone_id,
            occurred_at=c.occurred_at,
            recorded_by=by,
        )
    assert c.value is not None
    if c.kind is EntryKind.RATING:
        return ev.GoalRatingRecorded(
            client_id=t.client_id,
            entry_id=c.entry_id,
            goal_id=t.goal_id,
            goal_version=t.version,
            rating=int(c.value),
            occurred_at=c.occurred_at,
            recorded_by=by,
            recorded_by_role=role,
        )
    return ev.ProgressRecorded(
        client_id=t.client_id,
        entry_id=c.entry_id,
        goal_id=t.goal_id,
        goal_version=t.version,
        value=c.value,
        occurred_at=c.occurred_at,
        recorded_by=by,
        recorded_by_role=role,
    )


async def decide(ctx: Context, goal: GoalView, c: RecordEntry) -> list[IntegrationEvent]:
    """Every decision the goal's entries now support, published the first time only."""
    t = goal.terms
    events: list[IntegrationEvent] = []
    if c.kind is EntryKind.MILESTONE_CHECK:
        assert c.milestone_id is not None
        if await ctx.repo.decide(t, f"milestone:{c.milestone_id}", c.entry_id):
            events.append(
                ev.MilestoneReached(
                    client_id=t.client_id,
                    goal_id=t.goal_id,
                    goal_version=t.version,
                    milestone_id=c.milestone_id,
                    entry_id=c.entry_id,
                    reached_at=c.occurred_at,
                )
            )
        return events
    series = await ctx.repo.series(t)
    for d in threshold_decisions(t, series):
        if not await ctx.repo.decide(t, d.key, d.entry_id):
            continue
        assert d.entry_id is not None
        if d.kind == "milestone" and d.milestone_id is not None:
            events.append(
                ev.MilestoneReached(
                    client_id=t.client_id,
                    goal_id=t.goal_id,
                    goal_version=t.version,
                    milestone_id=d.milestone_id,
                    entry_id=d.entry_id,
                    reached_at=d.at,
                )
            )
        elif d.kind == "target":
            events.append(
                ev.GoalTargetReached(
                    client_id=t.client_id,
                    goal_id=t.goal_id,
                    goal_version=t.version,
                    entry_id=d.entry_id,
                    reached_at=d.at,
                )
            )
        elif d.reason is not None:
            events.append(
                ev.ReviewSuggested(
                    client_id=t.client_id,
                    goal_id=t.goal_id,
                    goal_version=t.version,
                    reason=d.reason,
                    suggested_at=ctx.now,
                )
            )
    status = achievement_status(t, series)
    if status is not goal.achievement:
        await ctx.repo.set_achievement(t.goal_id, status)
        events.append(
            ev.AchievementStatusChanged(
                client_id=t.client_id,
                goal_id=t.goal_id,
                goal_version=t.version,
                status=status,
                previous=goal.achievement,
                changed_at=ctx.now,
            )
        )
    return events
