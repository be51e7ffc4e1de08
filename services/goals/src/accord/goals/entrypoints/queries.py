"""Reads: what the actor may see, audited like every other access to a client's data."""

from uuid import UUID

from accord.goals.adapters import visibility_changes
from accord.goals.adapters.visibility_changes import VisibilityChange
from accord.goals.domain.errors import NotFound
from accord.goals.domain.goals import GoalStatus
from accord.goals.entrypoints.schemas import EpisodePublic, GoalPublic
from accord.goals.handlers.commands import GoalState
from accord.goals.handlers.context import Context
from accord.shared.commands import AuditNote
from accord.shared.events.contracts.common import Role
from accord.shared.pagination import Page, time_and_id, time_and_id_cursor


async def my_episodes(ctx: Context, cursor: str | None, limit: int) -> Page[EpisodePublic]:
    episodes = await ctx.repo.episodes_of(ctx.actor.tenant_id, ctx.actor.subject, time_and_id(cursor), limit + 1)
    page = episodes[:limit]
    for e in page:
        ctx.audit.append(AuditNote("list", "episode", e.episode_id, e.client_id))
    next_cursor = time_and_id_cursor(page[-1].opened_at, page[-1].episode_id) if len(episodes) > limit else None
    return Page(items=[EpisodePublic.of(e) for e in page], next_cursor=next_cursor)


async def one_episode(ctx: Context, episode_id: UUID) -> EpisodePublic:
    return EpisodePublic.of(await ctx.episode(episode_id))


async def episode_goals(
    ctx: Context, episode_id: UUID, statuses: list[GoalStatus], cursor: str | None, limit: int
) -> Page[GoalPublic]:
    episode = await ctx.episode(episode_id)
    role = episode.role_of(ctx.actor.subject)
    assert role is not None
    after = time_and_id(cursor)
    found = await ctx.repo.goals_visible_to(episode_id, ctx.actor.subject, role, statuses, after, limit + 1)
    page = found[:limit]
    ctx.audit.append(AuditNote("list goals", "episode", episode_id, episode.client_id))
    next_cursor = None
    if len(found) > limit:
        last = page[-1][0]
        next_cursor = time_and_id_cursor(await ctx.repo.created_at(last.goal_id), last.goal_id)
    items = [GoalPublic.of(goal, revision, ctx.actor.subject, ctx.divergence_threshold) for goal, revision in page]
    return Page(items=items, next_cursor=next_cursor)


async def one_goal(ctx: Context, goal_id: UUID, action: str = "read") -> GoalState:
    goal, revision, episode = await ctx.goal(goal_id, action)
    return GoalState(goal, revision, episode)


async def goal_visibility_changes(ctx: Context, goal_id: UUID) -> list[VisibilityChange]:
    """Who allowed which family members to see the goal, and when: for the client and the care team. A family
    member gets the same 404 as for a goal they cannot see (which of the family were allowed is not theirs to know)."""
    _, _, episode = await ctx.goal(goal_id, "read visibility changes")
    if episode.role_of(ctx.actor.subject) is Role.FAMILY:
        raise NotFound("goal not found")
    return await visibility_changes.of_goal(ctx.repo.conn, goal_id)
