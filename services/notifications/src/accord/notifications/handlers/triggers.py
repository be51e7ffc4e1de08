"""Events that cause notifications: who hears (domain.audience), in which words (the template), with which link.

Goals-topic events are ordered per client, so when one arrives the care team it refers to is already known.
Progress-topic events are not ordered against them: one about a goal or client not seen yet is held, and planned
when the goals service's events catch up (`replay_held`).
"""

import structlog

from accord.notifications.domain import audience, links
from accord.notifications.domain.audience import GoalAccess, Notice
from accord.notifications.domain.templates import TemplateCode
from accord.notifications.handlers.planning import Planner, Source
from accord.notifications.handlers.ports import NotificationsRepository
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.events.contracts.goals import (
    AlignmentDivergenceRaised,
    GoalAgreed,
    GoalProposed,
    GoalRevisionProposed,
)
from accord.shared.events.contracts.progress import (
    FeedbackCheckScheduled,
    GoalTargetReached,
    MilestoneReached,
    ReviewSuggested,
    SafetySignalRaised,
    SessionFeedbackConcernRaised,
    SessionHeld,
)

log = structlog.get_logger(__name__)

ProgressTrigger = (
    MilestoneReached | GoalTargetReached | ReviewSuggested | SafetySignalRaised | SessionFeedbackConcernRaised
)


class Triggers:
    def __init__(self, planner: Planner) -> None:
        self.planner = planner

    async def on_goal_proposed(self, repo: NotificationsRepository, envelope: Envelope, event: GoalProposed) -> None:
        await repo.care_teams.goal_proposed(envelope.tenant_id, event)
        team = await repo.care_teams.team_of_episode(envelope.tenant_id, event.client_id, event.episode_id)
        access = GoalAccess(event.visibility, frozenset(event.shared_with))
        notices = audience.goal_waiting_for_view(event.required_parties, event.proposed_by, team, access)
        await self._notify(repo, envelope, event, notices, links.goal(event.goal_id))

    async def on_goal_revision_proposed(
        self, repo: NotificationsRepository, envelope: Envelope, event: GoalRevisionProposed
    ) -> None:
        goal = await repo.care_teams.goal(envelope.tenant_id, event.goal_id)
        if goal is None:
            log.info("revision of a goal never seen: nobody to tell", goal_id=str(event.goal_id))
            return
        team = await repo.care_teams.team_of_episode(envelope.tenant_id, event.client_id, goal.episode_id)
        notices = audience.goal_waiting_for_view(event.required_parties, event.proposed_by, team, goal.access)
        await self._notify(repo, envelope, event, notices, links.goal(event.goal_id))

    async def on_goal_agreed(self, repo: NotificationsRepository, envelope: Envelope, event: GoalAgreed) -> None:
        await repo.care_teams.goal_agreed(envelope.tenant_id, event)
        team = await repo.care_teams.team_of_episode(envelope.tenant_id, event.client_id, event.episode_id)
        access = GoalAccess(event.visibility, frozenset(event.shared_with))
        notices = audience.goal_agreed(event.parties, team, access)
        await self._notify(repo, envelope, event, notices, links.goal(event.goal_id))

    async def on_divergence_raised(
        self, repo: NotificationsRepository, envelope: Envelope, event: AlignmentDivergenceRaised
    ) -> None:
        """The parties want different things from a goal: told to its therapists as a suggested review is (the same
        neutral words, no answer or spread), once per raise; never to the young person or the family."""
        goal = await repo.care_teams.goal(envelope.tenant_id, event.goal_id)
        if goal is None:
            log.info("divergence on a goal never seen: nobody to tell", goal_id=str(event.goal_id))
            return
        team = await repo.care_teams.team_of_episode(envelope.tenant_id, event.client_id, goal.episode_id)
        await self._notify(repo, envelope, event, audience.review_suggested(team), links.goal(event.goal_id))

    async def on_session_held(
        self, repo: NotificationsRepository, envelope: Envelope, event: SessionHeld | FeedbackCheckScheduled
    ) -> None:
        """The young person is invited to the session's feedback check (after a session marked held, or a check
        scheduled because none was for a while): addressed to them by the event itself, so it needs no care team to
        be known first."""
        link = links.session_feedback(event.episode_id, event.session_id)
        await self._notify(repo, envelope, event, audience.session_feedback(event.client_id), link)

    async def on_progress_trigger(
        self, repo: NotificationsRepository, envelope: Envelope, event: ProgressTrigger
    ) -> None:
        if not await self._plan(repo, envelope, event):
            await repo.held_triggers.hold(envelope, event.client_id)

    async def replay_held(self, repo: NotificationsRepository, envelope: Envelope, event: ClientEvent) -> None:
        """After any change to a client's care team: plan what was waiting for it."""
        for held in await repo.held_triggers.held_for(envelope.tenant_id, event.client_id):
            trigger = held.open()
            if isinstance(trigger, ProgressTrigger) and await self._plan(repo, held, trigger):
                await repo.held_triggers.release(held.event_id)

    async def _plan(self, repo: NotificationsRepository, envelope: Envelope, event: ProgressTrigger) -> bool:
        """Plans the notices; False if the goal or care team they depend on is not known yet."""
        tenant = envelope.tenant_id
        if isinstance(event, SafetySignalRaised):
            team = await repo.care_teams.team_of_client(tenant, event.client_id)
            if not team.therapists:
                return False
            await self._notify(repo, envelope, event, audience.safety_signal(team), links.INBOX)
            return True
        if isinstance(event, SessionFeedbackConcernRaised):
            # Told as a suggested review is: the same neutral words, no answer and no concern named, to the
            # episode's therapists only (never the young person or the family).
            team = await repo.care_teams.team_of_episode(tenant, event.client_id, event.episode_id)
            if not team.therapists:
                return False
            await self._notify(repo, envelope, event, audience.review_suggested(team), links.client(event.client_id))
            return True
        goal = await repo.care_teams.goal(tenant, event.goal_id)
        if goal is None:
            return False
        team = await repo.care_teams.team_of_episode(tenant, event.client_id, goal.episode_id)
        if isinstance(event, ReviewSuggested):
            notices = audience.review_suggested(team)
        elif isinstance(event, MilestoneReached):
            notices = audience.celebration(TemplateCode.MILESTONE_CELEBRATION, team, goal.access)
        else:
            notices = audience.celebration(TemplateCode.TARGET_CELEBRATION, team, goal.access)
        await self._notify(repo, envelope, event, notices, links.goal(event.goal_id))
        return True

    async def _notify(
        self, repo: NotificationsRepository, envelope: Envelope, event: ClientEvent, notices: list[Notice], link: str
    ) -> None:
        await self.planner.notify(repo, Source.of(envelope, event.client_id, link), notices)
