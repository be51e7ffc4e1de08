"""One handler function per command or event."""

from collections.abc import Mapping

from accord.progress.handlers import goal_view
from accord.shared.inbox import EventHandler
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = ("accord.goals.v1",)


def event_handlers(resources: Resources) -> Mapping[str, EventHandler]:
    """Event type -> handler: the goals service's events build this service's view of goals and care teams."""
    return {
        "EpisodeOpened": goal_view.on_episode_opened,
        "ParticipantJoined": goal_view.on_participant_joined,
        "ParticipantLeft": goal_view.on_participant_left,
        "EpisodeClosed": goal_view.on_episode_closed,
        "GoalAgreed": goal_view.on_goal_agreed,
        "GoalVisibilityChanged": goal_view.on_goal_visibility_changed,
        "GoalPaused": goal_view.on_goal_paused,
        "GoalResumed": goal_view.on_goal_resumed,
        "GoalClosed": goal_view.on_goal_closed,
    }
