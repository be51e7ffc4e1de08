"""A person's wishes about how and when they hear from Accord, and the clock arithmetic they need."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from accord.shared.events.contracts.notifications import Channel


class ClinicianDelivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


OPTIONAL_CHANNELS = frozenset({Channel.EMAIL, Channel.PUSH})
"""The in-app inbox is always on: it is where every link leads."""


@dataclass(frozen=True)
class QuietHours:
    """A daily window in the person's own time zone; `start > end` wraps past midnight (22:00-07:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The first instant after `now` at which the window is over."""
        local = now.astimezone(zone)
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end += timedelta(days=1)
        return end


@dataclass(frozen=True)
class Preferences:
    locale: str
    time_zone: str
    channels: frozenset[Channel] = field(default_factory=lambda: OPTIONAL_CHANNELS)
    quiet_hours: QuietHours | None = None
    clinician_delivery: ClinicianDelivery = ClinicianDelivery.IMMEDIATE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def quiet_until(self, now: datetime) -> datetime | None:
        """When a message that is due `now` may go out instead, or None if it may go now."""
        if self.quiet_hours is None or not self.quiet_hours.contains(now.astimezone(self.zone).time()):
            return None
        return self.quiet_hours.end_after(now, self.zone)

    def next_digest(self, now: datetime, hour: int) -> datetime:
        """The next time the daily digest goes out, at `hour` o'clock local time."""
        local = now.astimezone(self.zone)
        at = datetime.combine(local.date(), time(hour), tzinfo=self.zone)
        if at <= local:
            at = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=self.zone)
        return at


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; malformed names raise ValueError
        return False
    return True
