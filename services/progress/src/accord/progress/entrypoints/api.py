"""The progress HTTP API: entries (one or a batch from offline), progress per goal, check-ins, questionnaires."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from accord.progress.domain import commands as cmd
from accord.progress.entrypoints import queries
from accord.progress.entrypoints import schemas as s
from accord.progress.entrypoints.command_runner import runner
from accord.progress.handlers import wellbeing
from accord.progress.handlers.entries import Recorded, record_entries, record_entry
from accord.progress.settings import Settings
from accord.shared.api import ResourcesDep, get_resources
from accord.shared.auth import CurrentPrincipal, authenticate
from accord.shared.commands import problem_for
from accord.shared.errors import DomainError
from accord.shared.problems import Problem

router = APIRouter(prefix="/progress", tags=["progress"])
IDEMPOTENCY_KEY_MAX = 200
IdempotencyKey = Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX, description="makes a retried POST safe")]
Limit = Annotated[int, Query(ge=1, le=200)]
IF_NONE_MATCH_MAX = 1000
IfNoneMatch = Annotated[
    str | None, Header(max_length=IF_NONE_MATCH_MAX, description="the ETag of the answer the app holds")
]


def _command(goal_id: UUID, body: s.EntryCreate) -> cmd.RecordEntry:
    return cmd.RecordEntry(
        goal_id=goal_id,
        entry_id=body.entry_id,
        kind=body.kind,
        occurred_at=body.occurred_at,
        value=body.value,
        milestone_id=body.milestone_id,
        note=body.note,
    )


@router.post("/goals/{goal_id}/entries", status_code=201, response_model=s.EntryPublic)
async def record(
    goal_id: UUID,
    body: s.EntryCreate,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    # Not a docstring: FastAPI would publish it as the operation's description. The hot write
    # (entrypoints/hot_write.py) answers most of these requests with the same `entry_answer`.
    return await entry_answer(request, goal_id, body, idempotency_key)


async def entry_answer(
    request: Request, goal_id: UUID, body: s.EntryCreate, idempotency_key: str | None
) -> JSONResponse:
    """One entry recorded: the route's, and the hot path's (entrypoints/hot_write.py), which answers most."""
    # As on the progress read, the principal and the resources are taken by the same functions the dependencies
    # call, but directly: FastAPI's solving of the two sub-dependencies was about a quarter of the write's time in
    # the API in the profile (docs/benchmarks.md). The OpenAPI document is unchanged.
    me = await authenticate(request)
    res = await get_resources(request)

    def render(r: Recorded) -> tuple[Any, dict[str, str]]:
        return s.EntryPublic.of(r.entry, me.subject, r.duplicate), {}

    # The body's JSON form is only the Idempotency-Key's fingerprint: not built when there is no key.
    fingerprinted = body.model_dump(mode="json") if idempotency_key else None
    # at_once: most entries are written in one statement, without a transaction's lock and its round trips; one with
    # an Idempotency-Key, or whose goal changed between the read and the write, takes the transaction's way.
    return await runner.execute(
        res, me, request, record_entry, _command(goal_id, body), render, status=201, body=fingerprinted, at_once=True
    )


@router.post("/entries/batch", response_model=s.BatchPublic)
async def record_batch(
    body: s.BatchCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Entries recorded offline, in any order, safe to resend: a duplicate returns the original result, and one bad
    entry does not hold back the others (each is answered on its own). One transaction for the whole batch."""
    settings: Settings = res.settings
    if len(body.entries) > settings.batch_limit:
        raise Problem(422, "Too many entries", f"Send at most {settings.batch_limit} per request", field="entries")

    valid = [item for item in body.entries if isinstance(item, s.BatchItem)]

    def render(outcomes: list[Recorded | DomainError]) -> tuple[Any, dict[str, str]]:
        recorded = iter(zip(valid, outcomes, strict=True))
        return s.BatchPublic(
            results=[
                _refused(item) if isinstance(item, s.RefusedItem) else _result(*next(recorded), me.subject)
                for item in body.entries
            ]
        ), {}

    commands = [_command(item.goal_id, item) for item in valid]
    return await runner.execute(
        res,
        me,
        request,
        record_entries,
        commands,
        render,
        body=body.model_dump(mode="json") if idempotency_key else None,
    )


def _refused(item: s.RefusedItem) -> s.BatchResult:
    fields = ", ".join(e["field"] for e in item.errors)
    problem = {
        "status": 422,
        "title": "Invalid request",
        "detail": f"Check these fields: {fields}",
        "field": item.errors[0]["field"] if item.errors else None,
        "errors": item.errors,
    }
    return s.BatchResult(entry_id=item.entry_id, status="rejected", problem=problem)


def _result(item: s.BatchItem, outcome: Recorded | DomainError, viewer: UUID) -> s.BatchResult:
    if isinstance(outcome, DomainError):
        p = problem_for(outcome)
        problem = {"status": p.status, "title": p.title, "detail": p.detail, **p.extra}
        return s.BatchResult(entry_id=item.entry_id, status="rejected", problem=problem)
    return s.BatchResult(
        entry_id=item.entry_id,
        status="duplicate" if outcome.duplicate else "created",
        entry=s.EntryPublic.of(outcome.entry, viewer, outcome.duplicate),
    )


@router.get(
    "/goals/{goal_id}",
    response_model=s.GoalProgressPublic,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
async def progress(goal_id: UUID, request: Request, if_none_match: IfNoneMatch = None) -> Response:
    """A goal's progress, with an ETag: an app that keeps the last answer sends it back in If-None-Match and gets
    304 (no body) until something changes. The read is checked and audited either way."""
    # The most frequent read: the principal and the resources are taken by the same functions the dependencies
    # call, but directly, because FastAPI's solving of two sub-dependencies was a third of the request's CPU in the
    # profile (docs/benchmarks.md). Neither takes a parameter of its own, so the OpenAPI document is unchanged.
    return await progress_answer(request, goal_id, if_none_match)


async def progress_answer(request: Request, goal_id: UUID, if_none_match: str | None) -> Response:
    """The progress read itself: the route's, and the hot path's (entrypoints/hot_read.py), which answers most."""
    me = await authenticate(request)
    res = await get_resources(request)
    answer = await queries.progress_read(res, me, goal_id, request.app.state.goal_lookups)
    headers = {"ETag": answer.etag}
    if if_none_match is not None and _matches(if_none_match, answer.etag):
        return Response(status_code=304, headers=headers)
    # Sent as built (and kept) by the query: FastAPI's second validation of the response model would repeat work.
    return Response(answer.body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison against each listed tag, or any current answer for `*`."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


@router.get("/goals/{goal_id}/entries", response_model=list[s.EntryPublic])
async def entries(goal_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> list[s.EntryPublic]:
    return await runner.query(res, me, lambda ctx: queries.goal_entries(ctx, goal_id))


@router.post("/checkins", status_code=201, response_model=s.CheckInPublic)
async def check_in(
    body: s.CheckInCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.CheckIn(body.checkin_id, body.mood, body.occurred_at, body.text, body.share_with_therapist)
    return await runner.execute(
        res,
        me,
        request,
        wellbeing.check_in,
        command,
        lambda row: (s.CheckInPublic.model_validate(dict(row)), {}),
        status=201,
        body=body.model_dump(mode="json"),
    )


@router.put("/checkins/{checkin_id}/sharing", response_model=s.CheckInPublic)
async def share_check_in(
    checkin_id: UUID, body: s.CheckInSharing, request: Request, res: ResourcesDep, me: CurrentPrincipal
) -> JSONResponse:
    return await runner.execute(
        res,
        me,
        request,
        wellbeing.share_check_in,
        cmd.ShareCheckIn(checkin_id, body.shared),
        lambda row: (s.CheckInPublic.model_validate(dict(row)), {}),
    )


@router.get("/clients/{client_id}/checkins", response_model=list[s.CheckInPublic])
async def checkins(
    client_id: UUID, res: ResourcesDep, me: CurrentPrincipal, limit: Limit = 50
) -> list[s.CheckInPublic]:
    return await runner.query(res, me, lambda ctx: queries.client_checkins(ctx, client_id, limit))


@router.post("/questionnaires", status_code=201, response_model=s.QuestionnairePublic)
async def complete_questionnaire(
    body: s.QuestionnaireCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.CompleteQuestionnaire(
        body.response_id, body.instrument, body.answers, body.occurred_at, body.episode_id
    )

    def render(row: Any) -> tuple[Any, dict[str, str]]:
        support = row["instrument"] == "PHQ-9" and row["answers"][8] > 0
        return s.QuestionnairePublic.model_validate({**dict(row), "support_offered": support}), {}

    return await runner.execute(
        res,
        me,
        request,
        wellbeing.complete_questionnaire,
        command,
        render,
        status=201,
        body=body.model_dump(mode="json"),
    )


@router.get("/clients/{client_id}/questionnaires", response_model=list[s.QuestionnairePublic])
async def questionnaires(
    client_id: UUID, res: ResourcesDep, me: CurrentPrincipal, limit: Limit = 50
) -> list[s.QuestionnairePublic]:
    return await runner.query(res, me, lambda ctx: queries.client_questionnaires(ctx, client_id, limit))
