"""Reads: what the actor may see, audited like every other access to a client's data."""

from datetime import datetime
from typing import Any
from uuid import UUID

from accord.goals.domain.goals import GoalStatus
from accord.goals.entrypoints.schemas import EpisodePublic, GoalPublic
from accord.goals.handlers.commands import GoalState
from accord.goals.handlers.context import Context
from accord.shared.commands import AuditNote
from accord.shared.pagination import Page, decode_cursor, encode_cursor
from accord.shared.problems import Problem


def _keyset(cursor: str | None) -> list[Any] | None:
    after = decode_cursor(cursor)
    if after is None:
        return None
    try:
        datetime.fromisoformat(after[0])
        UUID(after[1])
    except (IndexError, TypeError, ValueError):
        raise Problem(400, "Invalid cursor", "The cursor is not one this API gave out", field="cursor") from None
    return after


async def my_episodes(ctx: Context, cursor: str | None, limit: int) -> Page[EpisodePublic]:
    episodes = await ctx.repo.episodes_of(ctx.actor.tenant_id, ctx.actor.subject, _keyset(cursor), limit + 1)
    page = episodes[:limit]
    for e in page:
        ctx.audit.append(AuditNote("list", "episode", e.episode_id, e.client_id))
    next_cursor = (
        encode_cursor(page[-1].opened_at.isoformat(), str(page[-1].episode_id)) if len(episodes) > limit else None
    )
    return Page(items=[EpisodePublic.of(e) for e in page], next_cursor=next_cursor)


async def one_episode(ctx: Context, episode_id: UUID) -> EpisodePublic:
    return EpisodePublic.of(await ctx.episode(episode_id))


async def episode_goals(
    ctx: Context, episode_id: UUID, statuses: list[GoalStatus], cursor: str | None, limit: int
) -> Page[GoalPublic]:
    episode = await ctx.episode(episode_id)
    role = episode.role_of(ctx.actor.subject)
    assert role is not None
    found = await ctx.repo.goals_visible_to(episode_id, ctx.actor.subject, role, statuses, _keyset(cursor), limit + 1)
    page = found[:limit]
    ctx.audit.append(AuditNote("list goals", "episode", episode_id, episode.client_id))
    next_cursor = None
    if len(found) > limit:
        last = page[-1][0]
        next_cursor = encode_cursor((await ctx.repo.created_at(last.goal_id)).isoformat(), str(last.goal_id))
    items = [GoalPublic.of(goal, revision, ctx.actor.subject, ctx.divergence_threshold) for goal, revision in page]
    return Page(items=items, next_cursor=next_cursor)


async def one_goal(ctx: Context, goal_id: UUID, action: str = "read") -> GoalState:
    goal, revision, episode = await ctx.goal(goal_id, action)
    return GoalState(goal, revision, episode)
