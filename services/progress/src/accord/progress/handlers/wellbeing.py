"""Check-ins (mood and journal, private unless shared) and questionnaires (PHQ-9, GAD-7)."""

import uuid
from typing import Any

from accord.progress.domain.commands import CheckIn, CompleteQuestionnaire, EntryKind, RecordEntry, ShareCheckIn
from accord.progress.domain.questionnaires import episode_for, score
from accord.progress.handlers.context import Context
from accord.progress.handlers.entries import record_entry
from accord.shared.errors import Conflict, NotAllowed, NotFound, NotYetKnown
from accord.shared.events.contracts import progress as ev
from accord.shared.events.contracts.common import Role


async def _client_in_care(ctx: Context, action: str, resource: str, resource_id: uuid.UUID) -> None:
    ctx.touching(action, resource, resource_id, ctx.actor.subject)
    if not ctx.actor.has(Role.CLIENT):
        raise NotAllowed("only a client records their own check-ins and questionnaires")
    if await ctx.repo.role_towards_client(ctx.actor.tenant_id, ctx.actor.subject, ctx.actor.subject) is None:
        raise NotYetKnown("your care episode is not known here yet: retry shortly")


async def check_in(ctx: Context, c: CheckIn) -> dict[str, Any]:
    await _client_in_care(ctx, "check in", "checkin", c.checkin_id)
    if (existing := await ctx.repo.checkin(c.checkin_id)) is not None:
        if existing["client_id"] == ctx.actor.subject:
            return existing
        raise Conflict("this check-in id is already used")
    ctx.check_time(c.occurred_at, None)
    await ctx.repo.add_checkin(
        checkin_id=c.checkin_id,
        tenant_id=ctx.actor.tenant_id,
        client_id=ctx.actor.subject,
        mood=c.mood,
        text=c.text,
        shared_with_therapist=c.share_with_therapist,
        occurred_at=c.occurred_at,
    )
    row = await ctx.repo.checkin(c.checkin_id)
    assert row is not None
    return row  # no event: mood and journal stay in this service


async def share_check_in(ctx: Context, c: ShareCheckIn) -> dict[str, Any]:
    ctx.touching("share check-in", "checkin", c.checkin_id, ctx.actor.subject)
    row = await ctx.repo.checkin(c.checkin_id)
    if row is None or row["client_id"] != ctx.actor.subject or row["tenant_id"] != ctx.actor.tenant_id:
        raise NotFound("check-in not found")
    await ctx.repo.share_checkin(c.checkin_id, c.shared)
    updated = await ctx.repo.checkin(c.checkin_id)
    assert updated is not None
    return updated


async def complete_questionnaire(ctx: Context, c: CompleteQuestionnaire) -> dict[str, Any]:
    await _client_in_care(ctx, "complete questionnaire", "questionnaire", c.response_id)
    if (existing := await ctx.repo.questionnaire(c.response_id)) is not None:
        if existing["client_id"] == ctx.actor.subject:
            return existing
        raise Conflict("this response id is already used")
    ctx.check_time(c.occurred_at, None)
    scored = score(c.instrument, c.answers)
    episode_id = episode_for(
        c.episode_id, await ctx.repo.open_episodes_of_client(ctx.actor.tenant_id, ctx.actor.subject)
    )
    await ctx.repo.add_questionnaire(
        response_id=c.response_id,
        tenant_id=ctx.actor.tenant_id,
        client_id=ctx.actor.subject,
        instrument=c.instrument.value,
        answers=c.answers,
        total=scored.total,
        severity=scored.severity.value,
        occurred_at=c.occurred_at,
        recorded_by=ctx.actor.subject,
        episode_id=episode_id,
    )
    if scored.safety_signal:  # at once, in this very transaction: never behind the score's other consequences
        ctx.events.append(
            ev.SafetySignalRaised(
                client_id=ctx.actor.subject,
                signal_id=uuid.uuid4(),
                source_id=c.response_id,
                instrument=c.instrument,
                raised_at=ctx.now,
            )
        )
    ctx.events.append(
        ev.QuestionnaireCompleted(
            client_id=ctx.actor.subject,
            response_id=c.response_id,
            instrument=c.instrument,
            total=scored.total,
            severity=scored.severity,
            occurred_at=c.occurred_at,
            episode_id=episode_id,
        )
    )
    for goal_id in await ctx.repo.active_goals_scored_by(ctx.actor.tenant_id, episode_id, c.instrument.value):
        # A goal of the same episode measured by this questionnaire gets its total as a measurement, with a stable id
        # per response (a goal of another episode never does: its therapists do not see this episode's scores).
        await record_entry(
            ctx,
            RecordEntry(
                goal_id=goal_id,
                entry_id=uuid.uuid5(c.response_id, str(goal_id)),
                kind=EntryKind.MEASUREMENT,
                occurred_at=c.occurred_at,
                value=float(scored.total),
            ),
        )
    row = await ctx.repo.questionnaire(c.response_id)
    assert row is not None
    return row
