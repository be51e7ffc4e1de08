"""Sessions and session feedback: `/episodes/{episode_id}/sessions...` and `/feedback-instrument` (the gateway sends
these paths here, and the rest of `/episodes` to the goals service)."""

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from accord.progress.adapters.sessions import SessionRow
from accord.progress.domain import commands as cmd
from accord.progress.domain.feedback import FeedbackInstrument, instrument_for, load_instruments
from accord.progress.entrypoints import queries
from accord.progress.entrypoints import session_schemas as s
from accord.progress.entrypoints.command_runner import runner
from accord.progress.handlers.sessions import Held, give_feedback, hold_session
from accord.progress.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal

router = APIRouter(tags=["session feedback"])
IdempotencyKey = Annotated[str | None, Header(max_length=200, description="makes a retried POST safe")]


@lru_cache(maxsize=4)
def _instruments(path: Path | None) -> dict[str, FeedbackInstrument]:
    return dict(load_instruments(path))


def tenant_instrument(settings: Settings, tenant_id: str) -> FeedbackInstrument:
    return instrument_for(tenant_id, _instruments(settings.feedback_instruments_file))


@router.get("/feedback-instrument", response_model=FeedbackInstrument)
async def feedback_instrument(res: ResourcesDep, me: CurrentPrincipal) -> FeedbackInstrument:
    """The session feedback check of the caller's service: its questions in English and Welsh, each 0-10."""
    return tenant_instrument(res.settings, me.tenant_id)


@router.post("/episodes/{episode_id}/sessions", status_code=201, response_model=s.SessionPublic)
async def hold(
    episode_id: UUID,
    body: s.SessionCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The therapist marks a session held: the young person is invited to the feedback check."""
    command = cmd.HoldSession(episode_id, body.session_id, body.held_at or datetime.now(UTC))

    def render(held: Held) -> tuple[Any, dict[str, str]]:
        r = held.session
        return s.SessionPublic(session_id=r.session_id, episode_id=r.episode_id, held_at=r.held_at), {}

    return await runner.execute(
        res, me, request, hold_session, command, render, status=201, body=body.model_dump(mode="json")
    )


@router.post(
    "/episodes/{episode_id}/sessions/{session_id}/feedback", status_code=201, response_model=s.SessionWithFeedback
)
async def answer(
    episode_id: UUID,
    session_id: UUID,
    body: s.FeedbackCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The young person's answer: once per session (a second is refused with 409)."""
    command = cmd.GiveSessionFeedback(
        episode_id=episode_id,
        session_id=session_id,
        scores=dict(body.scores),
        comment=body.comment or None,
        occurred_at=body.occurred_at or datetime.now(UTC),
        instrument=tenant_instrument(res.settings, me.tenant_id),
        low_below=res.settings.low_below(me.tenant_id),
    )

    def render(row: SessionRow) -> tuple[Any, dict[str, str]]:
        return queries.session_with_feedback(row), {}

    return await runner.execute(
        res, me, request, give_feedback, command, render, status=201, body=body.model_dump(mode="json")
    )


@router.get("/episodes/{episode_id}/session-feedback", response_model=s.SessionFeedbackPublic)
async def session_feedback(episode_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> s.SessionFeedbackPublic:
    """The answers and their trend, for the young person and the episode's therapists; nobody else."""
    instrument = tenant_instrument(res.settings, me.tenant_id)
    return await runner.query(res, me, lambda ctx: queries.session_feedback(ctx, episode_id, instrument))
