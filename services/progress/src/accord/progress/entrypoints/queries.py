"""Reads, each checked against the care team and audited."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cachetools import LRUCache
from prometheus_client import Counter

from accord.progress.adapters.repository import GoalView, Repository
from accord.progress.adapters.sessions import SessionRow, Sessions
from accord.progress.domain.feedback import FeedbackInstrument, session_total
from accord.progress.domain.feedback import trend as feedback_trend
from accord.progress.domain.progress import summarise
from accord.progress.entrypoints.command_runner import runner
from accord.progress.entrypoints.schemas import (
    CheckInPublic,
    EntryPublic,
    GoalProgressPublic,
    MilestonePublic,
    PointPublic,
    QuestionnairePublic,
)
from accord.progress.entrypoints.session_schemas import FeedbackPublic, SessionFeedbackPublic, SessionWithFeedback
from accord.progress.handlers.context import Context
from accord.shared.auth import Principal
from accord.shared.commands import AuditNote
from accord.shared.db import Pool
from accord.shared.errors import NotFound
from accord.shared.events.contracts.common import Role
from accord.shared.grouping import Grouped
from accord.shared.runtime import Resources

SERIES_POINTS = 100  # a chart's worth; every entry is at /goals/{goal_id}/entries

# Progress answers as sent, by what they are built from: the goal version, its status and its progress revision
# (the transaction that last added entries or decisions to it), all read with the caller's role on every request.
# A goal's dashboard is read far more often than it is written to, and building the answer (the latest points, the
# decisions, the summary, the JSON) is most of a read's work. Any change to those makes a new key, so an answer is
# never served stale; the authorization check and the audit row are never skipped. Per process; up to ~10 KB each.
_ANSWERS: LRUCache[tuple[UUID, int, str, int], bytes] = LRUCache(maxsize=4096)
ANSWER_CACHE = Counter(
    "accord_progress_answer_cache_total", "Progress answers served from the answer cache, or built", ["outcome"]
)
_HIT, _BUILT = ANSWER_CACHE.labels("hit"), ANSWER_CACHE.labels("built")


@dataclass(frozen=True)
class ProgressAnswer:
    body: bytes  # GoalProgressPublic as JSON
    etag: str


READ_PROGRESS = "read progress"

GoalLookups = Grouped[tuple[str, UUID, UUID], tuple[GoalView, Role | None] | None]
"""(tenant, goal, person) → the goal with the person's role in its episode, looked up together with the other
progress reads in flight (one statement per batch rather than one per read)."""


def goal_lookups(pool: Pool) -> GoalLookups:
    async def look_up(asked: list[tuple[str, UUID, UUID]]) -> list[tuple[GoalView, Role | None] | None]:
        async with pool.acquire() as conn:
            return await Repository(conn).goals_for_each(asked)

    return Grouped(look_up)


async def progress_read(
    res: Resources[Any], principal: Principal, goal_id: UUID, lookups: GoalLookups
) -> ProgressAnswer:
    """The progress read. Its most frequent form, a goal the caller may see whose answer is cached, is answered from
    a grouped lookup: the same statement as the full way's (`goals_with_role`), run for the reads in flight
    together, never remembered; the same audit row, stored before the answer leaves. Anything else (a refusal, with
    its audit of the denial; an answer to build) goes the full way, which looks the goal up again."""
    found = await lookups((principal.tenant_id, goal_id, principal.subject))
    if found is not None:
        goal, role = found
        if goal.visible_to(principal.subject, role) and (answer := _cached(goal)) is not None:
            note = AuditNote(READ_PROGRESS, "goal", goal_id, goal.terms.client_id)
            await res.read_audit.record(principal, [note.entry()])
            return answer
    return await runner.query(res, principal, lambda ctx: goal_progress(ctx, goal_id))


async def goal_progress(ctx: Context, goal_id: UUID) -> ProgressAnswer:
    goal, _ = await ctx.goal(goal_id, READ_PROGRESS)
    if (answer := _cached(goal)) is not None:
        return answer
    _BUILT.inc()
    body = _ANSWERS[_key(goal)] = (await _built(ctx, goal)).model_dump_json().encode()
    return ProgressAnswer(body, _etag(goal))


def _key(goal: GoalView) -> tuple[UUID, int, str, int]:
    return goal.goal_id, goal.terms.version, goal.status, goal.progress_revision


def _etag(goal: GoalView) -> str:
    return f'"{goal.terms.version}.{goal.progress_revision}.{goal.status}"'


def _cached(goal: GoalView) -> ProgressAnswer | None:
    if (body := _ANSWERS.get(_key(goal))) is None:
        return None
    _HIT.inc()
    return ProgressAnswer(body, _etag(goal))


async def _built(ctx: Context, goal: GoalView) -> GoalProgressPublic:
    t = goal.terms
    series = await ctx.repo.series(t, latest=SERIES_POINTS)
    summary = summarise(t, series, ctx.gbo_reliable_change)
    reached = {}
    for d in await ctx.repo.decisions(t):
        reached[d["decision_key"]] = d["occurred_at"] or d["decided_at"]
    return GoalProgressPublic(
        goal_id=t.goal_id,
        goal_version=t.version,
        status=goal.status,
        achievement_status=summary.status,
        baseline=t.baseline,
        target=t.target,
        direction=t.direction.value,
        latest=summary.latest,
        change=summary.change,
        percent_to_target=summary.percent_to_target,
        trend=summary.trend,
        reliable_change=summary.reliable_change,
        target_reached_at=reached.get("target"),
        milestones=[
            MilestonePublic(
                milestone_id=m.milestone_id,
                position=m.position,
                kind=m.kind.value,
                threshold=m.threshold,
                reached_at=reached.get(f"milestone:{m.milestone_id}"),
            )
            for m in t.milestones
        ],
        # Built from our own rows, already typed: no validation per point (a chart's worth of them per read).
        series=[
            PointPublic.model_construct(entry_id=p.entry_id, value=p.value, occurred_at=p.occurred_at) for p in series
        ],
    )


async def goal_entries(ctx: Context, goal_id: UUID) -> list[EntryPublic]:
    await ctx.goal(goal_id, "read entries")
    return [EntryPublic.of(row, ctx.actor.subject) for row in await ctx.repo.entries(goal_id)]


async def _towards_client(ctx: Context, client_id: UUID, action: str, resource: str) -> Role:
    ctx.touching(action, resource, client_id, client_id)
    role = await ctx.repo.role_towards_client(ctx.actor.tenant_id, client_id, ctx.actor.subject)
    if role not in (Role.CLIENT, Role.THERAPIST) or (role is Role.CLIENT and ctx.actor.subject != client_id):
        raise NotFound("client not found")  # family members see goals shared with them, never mood or scores
    return role


async def client_checkins(ctx: Context, client_id: UUID, limit: int) -> list[CheckInPublic]:
    role = await _towards_client(ctx, client_id, "read check-ins", "checkins")
    rows = await ctx.repo.checkins_of(ctx.actor.tenant_id, client_id, only_shared=role is not Role.CLIENT, limit=limit)
    return [CheckInPublic.model_validate(dict(r)) for r in rows]


async def client_questionnaires(ctx: Context, client_id: UUID, limit: int) -> list[QuestionnairePublic]:
    role = await _towards_client(ctx, client_id, "read questionnaires", "questionnaires")
    # The client sees all of theirs; a therapist only those completed for an episode they take part in.
    therapist = None if role is Role.CLIENT else ctx.actor.subject
    rows = await ctx.repo.questionnaires_of(ctx.actor.tenant_id, client_id, limit, therapist=therapist)
    return [QuestionnairePublic.model_validate(dict(r)) for r in rows]


FEEDBACK_SESSIONS = 20  # a chart's worth of sessions


def session_with_feedback(row: SessionRow) -> SessionWithFeedback:
    answer = None
    if row.scores is not None and row.answered_at is not None:
        answer = FeedbackPublic(
            scores=row.scores,
            comment=row.comment,
            answered_at=row.answered_at,
            instrument=row.instrument or "",
            mean=session_total(row.scores),
        )
    return SessionWithFeedback(session_id=row.session_id, held_at=row.held_at, scheduled=row.scheduled, feedback=answer)


async def session_feedback(ctx: Context, episode_id: UUID, instrument: FeedbackInstrument) -> SessionFeedbackPublic:
    """The young person and the episode's therapists read it; a family member, or anyone else, is told there is no
    such episode (never that there is feedback they may not see)."""
    sessions = Sessions(ctx.repo.conn)
    ctx.touching("read session feedback", "session_feedback", episode_id, None)
    member = await sessions.membership(ctx.actor.tenant_id, episode_id, ctx.actor.subject)
    if member is None or member.role not in (Role.CLIENT, Role.THERAPIST):
        raise NotFound("care episode not found")
    ctx.touching("read session feedback", "session_feedback", episode_id, member.client_id)
    rows = await sessions.of_episode(episode_id, FEEDBACK_SESSIONS)
    answered = [session_total(r.scores) for r in rows if r.scores is not None]
    return SessionFeedbackPublic(
        episode_id=episode_id,
        instrument=instrument,
        sessions=[session_with_feedback(r) for r in rows],
        trend=feedback_trend(answered),
    )
