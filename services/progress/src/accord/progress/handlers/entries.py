"""Recording entries against goals, and the decisions they lead to, in one transaction or one guarded statement."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from accord.progress.adapters.repository import GoalView
from accord.progress.domain.commands import EntryKind, RecordEntry
from accord.progress.domain.entries import check_entry
from accord.progress.domain.progress import Decision, Ledger, Point
from accord.progress.handlers.context import Context
from accord.shared.errors import Conflict, DomainError, NotYetKnown, WrongState
from accord.shared.events import IntegrationEvent
from accord.shared.events.contracts import progress as ev
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import GoalAgreed
from accord.shared.events.contracts.progress import AchievementStatus


@dataclass(frozen=True)
class Recorded:
    entry: Mapping[str, Any]
    duplicate: bool


async def record_entry(ctx: Context, c: RecordEntry) -> Recorded:
    """One entry: recorded, or the refusal raised."""
    [outcome] = await record_entries(ctx, [c])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def record_entries(ctx: Context, commands: list[RecordEntry]) -> list[Recorded | DomainError]:
    """Entries, in one transaction, each recorded or refused on its own; the outcomes in the commands' order.

    Each goal is locked once (entries for one goal are decided one after another, so a decision is made once); after
    the lock, one statement reads the entries already stored under the commands' ids and the ledger of every goal
    the actor may record against; the entries, decisions and the goals' revisions are written by one statement, the
    events and audit rows by another, whatever the number of entries. Written at once (`Context.write_at_once`: one
    entry), nothing is locked: the goal's row version is read instead, and the change, events and audit rows are one
    statement that writes only if the goal's row is still that version, so a decision is still made once.
    """
    goals = await ctx.goals([c.goal_id for c in commands], "record entry", for_update=True)
    seen = [answer[0].terms for answer in goals.values() if not isinstance(answer, NotYetKnown)]
    # With no goal to record against, every command is refused before any stored entry or ledger is looked at.
    stored, read = await ctx.repo.entries_and_ledgers([c.entry_id for c in commands], seen) if seen else ({}, {})
    ledgers: dict[UUID, Ledger] = {}  # those of the goals an entry is recorded against
    rows: dict[UUID, dict[str, Any]] = {}
    outcomes: dict[int, Recorded | DomainError] = {}
    for i, c in sorted(enumerate(commands), key=lambda ic: ic[1].occurred_at):
        try:
            goal, role = _goal_of(goals[c.goal_id])
            if (earlier := stored.get(c.entry_id, rows.get(c.entry_id))) is not None:
                outcomes[i] = _resent(ctx, earlier, c)
                continue
            _check(ctx, goal, c)
        except DomainError as refusal:
            outcomes[i] = refusal
            continue
        rows[c.entry_id] = row = _row(ctx, goal, c, role)
        outcomes[i] = Recorded(row, duplicate=False)
        ctx.events.append(_recorded_event(goal, c, role, ctx.actor.subject))
        if (ledger := ledgers.get(c.goal_id)) is None:
            ledger = ledgers[c.goal_id] = read[c.goal_id]
        ctx.events += _decide(ctx, goal, ledger, c)
    decisions: list[tuple[GoalAgreed, Decision]] = []
    achievements: dict[UUID, AchievementStatus | None] = {}
    for goal_id, ledger in ledgers.items():
        goal = _goal_of(goals[goal_id])[0]
        decisions += [(goal.terms, d) for d in ledger.new]
        achievements[goal_id] = None
        if ledger.moved and (event := _status_change(ctx, goal, ledger)) is not None:
            achievements[goal_id] = event.status
            ctx.events.append(event)
    await ctx.repo.record_progress(list(rows.values()), decisions, achievements)
    return [outcomes[i] for i in range(len(commands))]


def _goal_of(answer: tuple[GoalView, Role] | NotYetKnown) -> tuple[GoalView, Role]:
    if isinstance(answer, NotYetKnown):
        raise answer
    return answer


def _resent(ctx: Context, earlier: Any, c: RecordEntry) -> Recorded:
    if earlier["goal_id"] == c.goal_id and earlier["recorded_by"] == ctx.actor.subject:
        return Recorded(earlier, duplicate=True)  # a resend: the original result, nothing new
    raise Conflict("this entry id is already used")


def _check(ctx: Context, goal: GoalView, c: RecordEntry) -> None:
    if goal.status != "active":
        raise WrongState(f"the goal is {goal.status}: entries can be recorded only for an active goal")
    check_entry(goal.terms, c.kind, c.value, c.milestone_id)
    ctx.check_time(c.occurred_at, goal.episode_opened_at)


def _row(ctx: Context, goal: GoalView, c: RecordEntry, role: Role) -> dict[str, Any]:
    t = goal.terms
    return {
        "entry_id": c.entry_id,
        "tenant_id": ctx.actor.tenant_id,
        "client_id": t.client_id,
        "goal_id": t.goal_id,
        "goal_version": t.version,
        "kind": c.kind.value,
        "value": c.value,
        "milestone_id": c.milestone_id,
        "occurred_at": c.occurred_at,
        "recorded_by": ctx.actor.subject,
        "recorded_by_role": role.value,
        "note": c.note,
    }


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


def _decide(ctx: Context, goal: GoalView, ledger: Ledger, c: RecordEntry) -> list[IntegrationEvent]:
    """The decisions this entry newly supports, each published the first time only."""
    t = goal.terms
    if c.kind is EntryKind.MILESTONE_CHECK:
        assert c.milestone_id is not None
        key = f"milestone:{c.milestone_id}"
        if key in ledger.decided:
            return []
        ledger.decide(Decision(key, "milestone", c.entry_id, c.occurred_at, milestone_id=c.milestone_id))
        return [
            ev.MilestoneReached(
                client_id=t.client_id,
                goal_id=t.goal_id,
                goal_version=t.version,
                milestone_id=c.milestone_id,
                entry_id=c.entry_id,
                reached_at=c.occurred_at,
            )
        ]
    assert c.value is not None
    events: list[IntegrationEvent] = []
    for d in ledger.record(Point(c.entry_id, c.value, c.occurred_at)):
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
    return events


def _status_change(ctx: Context, goal: GoalView, ledger: Ledger) -> ev.AchievementStatusChanged | None:
    t = goal.terms
    status = ledger.status
    if status is goal.achievement:
        return None
    return ev.AchievementStatusChanged(
        client_id=t.client_id,
        goal_id=t.goal_id,
        goal_version=t.version,
        status=status,
        previous=goal.achievement,
        changed_at=ctx.now,
    )
