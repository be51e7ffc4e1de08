"""Check-in reminders: on each agreed goal's review interval, unless the client has already recorded progress."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

CHECK_IN_NAMESPACE = UUID("6f1c0d0e-8d4b-4c55-9c43-6a1f3b0c2e71")


@dataclass(frozen=True)
class CheckInDue:
    goal_id: UUID
    due_at: datetime
    interval: timedelta
    last_client_entry_at: datetime | None

    @property
    def already_checked_in(self) -> bool:
        """The client recorded something during the period that ends now."""
        entry = self.last_client_entry_at
        return entry is not None and entry > self.due_at - self.interval

    def next_due(self, now: datetime) -> datetime:
        """The next slot after `now`: a long-missed goal gets one reminder, not one per missed period."""
        periods = (now - self.due_at) // self.interval + 1
        return self.due_at + periods * self.interval

    @property
    def reminder_id(self) -> UUID:
        """Stands in for a source event id, so a reminder is created once per goal and period."""
        return uuid5(CHECK_IN_NAMESPACE, f"{self.goal_id}:{self.due_at.isoformat()}")
