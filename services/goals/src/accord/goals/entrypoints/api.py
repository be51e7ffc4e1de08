"""The goals HTTP API: care episodes and the collaborative lifecycle of goals."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from accord.goals.domain import commands as cmd
from accord.goals.domain import smart
from accord.goals.domain.content import GoalContent
from accord.goals.domain.episodes import Episode
from accord.goals.domain.goals import GoalStatus
from accord.goals.entrypoints import schemas as s
from accord.goals.entrypoints.command_runner import execute, query
from accord.goals.entrypoints.queries import episode_goals, my_episodes, one_episode, one_goal
from accord.goals.handlers import commands as handle
from accord.goals.handlers.commands import GoalState
from accord.goals.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal, Principal
from accord.shared.pagination import Page
from accord.shared.problems import Problem
from accord.shared.runtime import Resources

router = APIRouter(tags=["goals"])
IfMatch = Annotated[str | None, Header(description="the goal's ETag, from a previous read")]
IdempotencyKey = Annotated[str | None, Header(max_length=200, description="makes a retried POST safe")]
Limit = Annotated[int, Query(ge=1, le=100)]


def _episode(e: Episode) -> tuple[Any, dict[str, str]]:
    return s.EpisodePublic.of(e), {}


def _goal_for(res: Resources[Settings], me: Principal) -> Callable[[GoalState], tuple[Any, dict[str, str]]]:
    """A goal's answer as `me` may see it (the young person's private answers are theirs alone)."""
    threshold = res.settings.divergence_threshold_for(me.tenant_id)

    def encode(state: GoalState) -> tuple[Any, dict[str, str]]:
        return s.GoalPublic.of(state.goal, state.revision, me.subject, threshold), {"ETag": f'"{state.revision}"'}

    return encode


def _revision(if_match: str | None) -> int:
    if if_match is None:
        raise Problem(428, "Precondition required", "Send If-Match with the goal's ETag", field="If-Match")
    try:
        return int(if_match.removeprefix("W/").strip('"'))
    except ValueError:
        raise Problem(412, "Precondition failed", "If-Match is not an ETag of this goal", field="If-Match") from None


@router.post("/episodes", status_code=201, response_model=s.EpisodePublic)
async def open_episode(
    body: s.EpisodeCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.OpenEpisode(episode_id=body.episode_id, client_id=body.client_id, team_id=body.team_id)
    return await execute(
        res, me, request, handle.open_episode, command, _episode, status=201, body=body.model_dump(mode="json")
    )


@router.get("/episodes", response_model=Page[s.EpisodePublic])
async def list_episodes(
    res: ResourcesDep, me: CurrentPrincipal, cursor: str | None = None, limit: Limit = 20
) -> Page[s.EpisodePublic]:
    return await query(res, me, lambda ctx: my_episodes(ctx, cursor, limit))


@router.get("/episodes/{episode_id}", response_model=s.EpisodePublic)
async def get_episode(episode_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> s.EpisodePublic:
    return await query(res, me, lambda ctx: one_episode(ctx, episode_id))


@router.post("/episodes/{episode_id}/participants", status_code=201, response_model=s.EpisodePublic)
async def add_family_member(
    episode_id: UUID,
    body: s.FamilyMemberAdd,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    name = body.display_name.strip() if body.display_name else None
    command = cmd.AddFamilyMember(episode_id, body.person_id, body.relationship_code, name or None)
    return await execute(
        res, me, request, handle.add_family_member, command, _episode, status=201, body=body.model_dump(mode="json")
    )


@router.delete("/episodes/{episode_id}/participants/{person_id}", response_model=s.EpisodePublic)
async def remove_family_member(
    episode_id: UUID, person_id: UUID, request: Request, res: ResourcesDep, me: CurrentPrincipal
) -> JSONResponse:
    command = cmd.RemoveFamilyMember(episode_id, person_id)
    return await execute(res, me, request, handle.remove_family_member, command, _episode)


@router.post("/episodes/{episode_id}/close", response_model=s.EpisodePublic)
async def close_episode(
    episode_id: UUID, request: Request, res: ResourcesDep, me: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await execute(res, me, request, handle.close_episode, cmd.CloseEpisode(episode_id), _episode)


@router.post("/goals/smart-check", response_model=s.SmartCheckPublic)
async def smart_check(content: GoalContent, me: CurrentPrincipal) -> s.SmartCheckPublic:
    """Checks a draft against SMART without saving it; nothing is stored or audited."""
    result = smart.check(content, datetime.now(UTC).date())
    return s.SmartCheckPublic(passed=result.passed, results=result.results)


@router.post("/episodes/{episode_id}/goals", status_code=201, response_model=s.GoalPublic)
async def draft_goal(
    episode_id: UUID,
    body: s.GoalCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.DraftGoal(episode_id=episode_id, goal_id=body.goal_id, content=body.content)
    return await execute(
        res, me, request, handle.draft_goal, command, _goal_for(res, me), status=201, body=body.model_dump(mode="json")
    )


@router.get("/episodes/{episode_id}/goals", response_model=Page[s.GoalPublic])
async def list_goals(
    episode_id: UUID,
    res: ResourcesDep,
    me: CurrentPrincipal,
    status: Annotated[list[GoalStatus] | None, Query()] = None,
    cursor: str | None = None,
    limit: Limit = 20,
) -> Page[s.GoalPublic]:
    return await query(res, me, lambda ctx: episode_goals(ctx, episode_id, status or [], cursor, limit))


@router.get("/goals/{goal_id}", response_model=s.GoalPublic)
async def get_goal(goal_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> JSONResponse:
    state = await query(res, me, lambda ctx: one_goal(ctx, goal_id))
    body, headers = _goal_for(res, me)(state)
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


@router.get("/goals/{goal_id}/history", response_model=s.HistoryPublic)
async def goal_history(goal_id: UUID, res: ResourcesDep, me: CurrentPrincipal) -> s.HistoryPublic:
    state = await query(res, me, lambda ctx: one_goal(ctx, goal_id, action="read history"))
    return s.HistoryPublic(entries=state.goal.history)


@router.put("/goals/{goal_id}/draft", response_model=s.GoalPublic)
async def edit_draft(
    goal_id: UUID,
    body: s.DraftUpdate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = cmd.EditDraft(goal_id, body.content, _revision(if_match))
    return await execute(res, me, request, handle.edit_draft, command, _goal_for(res, me))


@router.post("/goals/{goal_id}/proposal", response_model=s.GoalPublic)
async def propose_goal(
    goal_id: UUID,
    body: s.Proposal,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.ProposeGoal(goal_id, body.smart_override_reason)
    return await execute(
        res, me, request, handle.propose_goal, command, _goal_for(res, me), body=body.model_dump(mode="json")
    )


@router.post("/goals/{goal_id}/agreements", response_model=s.GoalPublic)
async def record_agreement(
    goal_id: UUID,
    body: s.AgreementCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.RecordAgreement(
        goal_id, body.decision, body.comment, body.importance, body.feels_own, body.share_answers_with_others
    )
    return await execute(
        res, me, request, handle.record_agreement, command, _goal_for(res, me), body=body.model_dump(mode="json")
    )


@router.post("/goals/{goal_id}/revisions", response_model=s.GoalPublic)
async def revise_goal(
    goal_id: UUID,
    body: s.RevisionCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.ReviseGoal(goal_id, body.content, body.reason, _revision(if_match), body.smart_override_reason)
    return await execute(
        res, me, request, handle.revise_goal, command, _goal_for(res, me), body=body.model_dump(mode="json")
    )


@router.put("/goals/{goal_id}/visibility", response_model=s.GoalPublic)
async def change_visibility(
    goal_id: UUID,
    body: s.VisibilityUpdate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = cmd.ChangeVisibility(goal_id, body.visibility, body.shared_with, _revision(if_match))
    return await execute(res, me, request, handle.change_visibility, command, _goal_for(res, me))


@router.post("/goals/{goal_id}/pause", response_model=s.GoalPublic)
async def pause_goal(
    goal_id: UUID, request: Request, res: ResourcesDep, me: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await execute(res, me, request, handle.pause_goal, cmd.PauseGoal(goal_id), _goal_for(res, me))


@router.post("/goals/{goal_id}/resume", response_model=s.GoalPublic)
async def resume_goal(
    goal_id: UUID, request: Request, res: ResourcesDep, me: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await execute(res, me, request, handle.resume_goal, cmd.ResumeGoal(goal_id), _goal_for(res, me))


@router.post("/goals/{goal_id}/closure", response_model=s.GoalPublic)
async def close_goal(
    goal_id: UUID,
    body: s.ClosureCreate,
    request: Request,
    res: ResourcesDep,
    me: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = cmd.CloseGoal(goal_id, body.outcome, body.reason)
    return await execute(
        res, me, request, handle.close_goal, command, _goal_for(res, me), body=body.model_dump(mode="json")
    )
