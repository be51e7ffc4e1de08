"""Sessions marked as held, and the young person's feedback on each: one answer per session, the comment kept here.

Only the episode's therapists mark a session; only its young person answers. The family never reads or writes
either, and the comment goes into no event, log or notification (the events carry the scores alone).
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from accord.progress.adapters.sessions import Membership, SessionRow, Sessions
from accord.progress.domain.commands import GiveSessionFeedback, HoldSession
from accord.progress.domain.feedback import FEEDBACK_WINDOW, checked_scores, concerns
from accord.progress.handlers.context import Context
from accord.shared.errors import Conflict, Invalid, NotAllowed, NotFound, NotYetKnown, WrongState
from accord.shared.events.contracts import progress as ev
from accord.shared.events.contracts.common import Role

EPISODE_NOT_KNOWN = "this care episode is not known here yet: retry shortly"


@dataclass(frozen=True)
class Held:
    session: SessionRow
    duplicate: bool


async def _member(ctx: Context, sessions: Sessions, episode_id: UUID, role: Role) -> Membership:
    """The actor's place in the episode, which must be `role`. Someone outside the episode gets the same answer as
    for an episode not yet known, so that nobody learns of another's episode."""
    member = await sessions.membership(ctx.actor.tenant_id, episode_id, ctx.actor.subject)
    if member is None or member.role not in (Role.CLIENT, Role.THERAPIST):
        raise NotYetKnown(EPISODE_NOT_KNOWN, hidden=member is not None)
    if member.role is not role:
        raise NotAllowed(
            "only the episode's therapist marks a session held"
            if role is Role.THERAPIST
            else "only the young person answers their session feedback"
        )
    return member


async def hold_session(ctx: Context, c: HoldSession) -> Held:
    sessions = Sessions(ctx.repo.conn)
    ctx.touching("mark session held", "session", c.session_id, None)
    member = await _member(ctx, sessions, c.episode_id, Role.THERAPIST)
    ctx.touching("mark session held", "session", c.session_id, member.client_id)
    if (existing := await sessions.session(c.session_id)) is not None:
        if existing.episode_id == c.episode_id:
            return Held(existing, duplicate=True)  # a resend of the same mark
        raise Conflict("this session id is already used")
    if member.closed:
        raise WrongState("this care episode is closed")
    ctx.check_time(c.held_at, None)
    await sessions.add_session(
        session_id=c.session_id,
        tenant_id=ctx.actor.tenant_id,
        episode_id=c.episode_id,
        client_id=member.client_id,
        held_at=c.held_at,
        held_by=ctx.actor.subject,
    )
    ctx.events.append(
        ev.SessionHeld(
            client_id=member.client_id,
            episode_id=c.episode_id,
            session_id=c.session_id,
            held_at=c.held_at,
            held_by=ctx.actor.subject,
        )
    )
    row = await sessions.session(c.session_id)
    assert row is not None
    return Held(row, duplicate=False)


async def give_feedback(ctx: Context, c: GiveSessionFeedback) -> SessionRow:
    sessions = Sessions(ctx.repo.conn)
    ctx.touching("give session feedback", "session", c.session_id, None)
    member = await _member(ctx, sessions, c.episode_id, Role.CLIENT)
    ctx.touching("give session feedback", "session", c.session_id, member.client_id)
    session = await sessions.session(c.session_id, for_update=True)
    if session is None or session.episode_id != c.episode_id:
        raise NotFound("session not found")
    if session.scores is not None:
        raise Conflict("this session's feedback is already given: one answer per session")
    scores = checked_scores(c.instrument, c.scores)
    _check_answered_after(ctx, c.occurred_at, session.held_at)
    await sessions.add_feedback(
        session_id=c.session_id,
        tenant_id=ctx.actor.tenant_id,
        episode_id=c.episode_id,
        client_id=member.client_id,
        instrument=c.instrument.code,
        scores=scores,
        comment=c.comment,
        occurred_at=c.occurred_at,
    )
    ctx.events.append(  # the scores only: the comment stays in this service
        ev.SessionFeedbackGiven(
            client_id=member.client_id,
            episode_id=c.episode_id,
            session_id=c.session_id,
            scores=scores,
            occurred_at=c.occurred_at,
        )
    )
    # Told to the episode's therapists as a suggested review is (notifications); the caseload shows the same. Only
    # when this answer is the episode's latest: one given late (offline) for an earlier session raises nothing.
    latest = await sessions.latest_overall_answers(c.episode_id, FEEDBACK_WINDOW)
    answers = [overall for _, overall in latest] if latest[-1][0] == c.session_id else []
    ctx.events.extend(
        ev.SessionFeedbackConcernRaised(
            client_id=member.client_id,
            episode_id=c.episode_id,
            session_id=c.session_id,
            concern=concern,
            raised_at=c.occurred_at,
        )
        for concern in concerns(answers, c.low_below)
    )
    row = await sessions.session(c.session_id)
    assert row is not None
    return row


def _check_answered_after(ctx: Context, occurred_at: datetime, held_at: datetime) -> None:
    ctx.check_time(occurred_at, None)
    if occurred_at < held_at:
        raise Invalid("occurred_at", "feedback cannot come before the session was held")
