"""One handler per command: load, ask the domain, save, and note the events to publish."""

from dataclasses import dataclass

from accord.goals.domain import commands as cmd
from accord.goals.domain import smart
from accord.goals.domain.alignment import Answer
from accord.goals.domain.episodes import Episode
from accord.goals.domain.errors import Conflict, NotAllowed
from accord.goals.domain.goals import Goal
from accord.goals.handlers.context import Context
from accord.shared.episode_keys import key_issued
from accord.shared.events.contracts.common import Role


@dataclass(frozen=True)
class GoalState:
    goal: Goal
    revision: int
    episode: Episode


async def open_episode(ctx: Context, c: cmd.OpenEpisode) -> Episode:
    ctx.touching("open", "episode", c.episode_id, c.client_id)
    if not ctx.actor.has(Role.THERAPIST):
        raise NotAllowed("only a therapist opens a care episode")
    if (existing := await ctx.repo.episode(ctx.actor.tenant_id, c.episode_id)) is not None:
        if (existing.lead_therapist_id, existing.client_id) == (ctx.actor.subject, c.client_id):
            return existing  # a retried request with a client-supplied id: the same answer, nothing new
        raise Conflict("this episode id is already used")
    episode = Episode.open(
        episode_id=c.episode_id,
        tenant_id=ctx.actor.tenant_id,
        client_id=c.client_id,
        team_id=c.team_id,
        therapist_id=ctx.actor.subject,
        now=ctx.now,
    )
    key = await ctx.repo.add_episode(episode, key_announced_under=ctx.key_wrapping.current)
    ctx.events += episode.opened()
    # To the services that open the episode's sealed events (a key is not the domain's business, so not in opened()).
    ctx.events.append(key_issued(c.client_id, c.episode_id, key, ctx.key_wrapping))
    return episode


async def add_family_member(ctx: Context, c: cmd.AddFamilyMember) -> Episode:
    episode = await ctx.episode(c.episode_id, for_update=True)
    ctx.events += episode.add_family_member(
        ctx.actor.subject, c.person_id, c.relationship_code, ctx.now, c.display_name
    )
    await ctx.repo.save_episode(episode)
    return episode


async def remove_family_member(ctx: Context, c: cmd.RemoveFamilyMember) -> Episode:
    episode = await ctx.episode(c.episode_id, for_update=True)
    ctx.events += episode.remove_family_member(ctx.actor.subject, c.person_id)
    await ctx.repo.save_episode(episode)
    return episode


async def close_episode(ctx: Context, c: cmd.CloseEpisode) -> Episode:
    episode = await ctx.episode(c.episode_id, for_update=True)
    ctx.events += episode.close(ctx.actor.subject, ctx.now)
    await ctx.repo.save_episode(episode)
    return episode


async def draft_goal(ctx: Context, c: cmd.DraftGoal) -> GoalState:
    episode = await ctx.episode(c.episode_id, for_update=True)
    ctx.touching("draft", "goal", c.goal_id, episode.client_id)
    if (existing := await ctx.repo.goal(ctx.actor.tenant_id, c.goal_id)) is not None:
        goal, revision = existing
        if goal.created_by == ctx.actor.subject and goal.versions[0].content == c.content:
            return GoalState(goal, revision, episode)  # a retried request with a client-supplied id
        raise Conflict("this goal id is already used")
    goal = Goal.draft(c.goal_id, episode, ctx.actor.subject, c.content, ctx.now)
    return GoalState(goal, await ctx.repo.add_goal(goal, ctx.now), episode)


async def edit_draft(ctx: Context, c: cmd.EditDraft) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "edit", for_update=True, expected_revision=c.expected_revision)
    goal.edit_draft(episode, ctx.actor.subject, c.content, ctx.now)
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def propose_goal(ctx: Context, c: cmd.ProposeGoal) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "propose", for_update=True)
    # The episode row is locked too, so two goals proposed at once cannot both slip under the limit.
    await ctx.repo.episode(ctx.actor.tenant_id, episode.episode_id, for_update=True)
    in_play = await ctx.repo.goals_in_play(episode.episode_id, other_than=goal.goal_id)
    result = smart.check(goal.latest.content, ctx.now.date())
    ctx.events += goal.propose(
        episode, ctx.actor.subject, result, c.smart_override_reason, in_play, ctx.active_goal_limit, ctx.now
    )
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def record_agreement(ctx: Context, c: cmd.RecordAgreement) -> GoalState:
    # FOR UPDATE serialises the last two agreements arriving together: exactly one of them sees "all agreed".
    goal, _, episode = await ctx.goal(c.goal_id, "agree", for_update=True)
    answer = Answer(
        importance=c.importance, feels_own=c.feels_own, share_with_others=c.share_answers_with_others, at=ctx.now
    )
    ctx.events += goal.record_agreement(
        episode, ctx.actor.subject, c.decision, c.comment, ctx.now, answer, ctx.divergence_threshold
    )
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def revise_goal(ctx: Context, c: cmd.ReviseGoal) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "revise", for_update=True, expected_revision=c.expected_revision)
    result = smart.check(c.content, ctx.now.date())
    ctx.events += goal.propose_revision(
        episode, ctx.actor.subject, c.content, c.reason, result, c.smart_override_reason, ctx.now
    )
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def change_visibility(ctx: Context, c: cmd.ChangeVisibility) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "share", for_update=True, expected_revision=c.expected_revision)
    ctx.events += goal.change_visibility(episode, ctx.actor.subject, c.visibility, c.shared_with, ctx.now)
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def pause_goal(ctx: Context, c: cmd.PauseGoal) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "pause", for_update=True)
    ctx.events += goal.pause(episode, ctx.actor.subject, ctx.now)
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def resume_goal(ctx: Context, c: cmd.ResumeGoal) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "resume", for_update=True)
    ctx.events += goal.resume(episode, ctx.actor.subject, ctx.now)
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)


async def close_goal(ctx: Context, c: cmd.CloseGoal) -> GoalState:
    goal, _, episode = await ctx.goal(c.goal_id, "close", for_update=True)
    ctx.events += goal.request_close(episode, ctx.actor.subject, c.outcome, c.reason, ctx.now)
    return GoalState(goal, await ctx.repo.save_goal(goal), episode)
