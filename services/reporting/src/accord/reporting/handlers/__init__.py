"""One handler function per command or event."""

from collections.abc import Mapping

from accord.shared.inbox import EventHandler
from accord.shared.runtime import Resources

CONSUMED_TOPICS: tuple[str, ...] = (
    "accord.goals.v1",
    "accord.progress.v1",
    "accord.notifications.v1",
)


def event_handlers(resources: Resources) -> Mapping[str, EventHandler]:
    """Event type -> handler, for the events this service reacts to."""
    return {}
