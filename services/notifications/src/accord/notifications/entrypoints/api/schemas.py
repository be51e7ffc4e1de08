"""Request and response bodies of the notifications API."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accord.notifications.domain.preferences import is_time_zone
from accord.shared.inputs import LocalTime, RequestModel, Text


class InboxItemOut(BaseModel):
    id: UUID
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class UnreadCountOut(BaseModel):
    unread: int


class InboxEventOut(BaseModel):
    """The data of an `event: inbox` on the live stream: what the app needs to show a badge and a link, no text."""

    id: UUID
    kind: str
    created_at: datetime
    link: str
    unread_count: int


class UnreadEventOut(BaseModel):
    """The data of an `event: unread` on the live stream: sent on connect and when items are marked read."""

    unread_count: int


class QuietHoursBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _a_real_window(self) -> "QuietHoursBody":
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class PreferencesBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    locale: str = Field(max_length=35, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    """Any BCP 47 tag; messages use the closest supported locale (en, cy), falling back to English."""
    time_zone: str = Text(64)
    channels: list[Literal["email", "push"]] = Field(max_length=2)
    """Everyday channels besides the in-app inbox; an urgent message uses every channel regardless."""
    quiet_hours: QuietHoursBody | None = None
    clinician_delivery: Literal["immediate", "digest"] = "immediate"

    @field_validator("channels")
    @classmethod
    def _each_once_in_order(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError("must be an IANA time zone such as Europe/London")
        return value


class EmailIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Text(254, min_length=3)


class EmailOut(BaseModel):
    id: UUID
    email: str
    created_at: datetime
    active: bool
    confirmed: bool
    """False until the owner follows the link sent to the address; nothing else is sent to it until then."""


class PushKeys(RequestModel):
    p256dh: str = Text(100, min_length=80)
    auth: str = Text(30, min_length=16)


class PushSubscriptionIn(RequestModel):
    """The browser's PushSubscription.toJSON(); expirationTime and the like are ignored."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str = Text(2048, min_length=10)
    keys: PushKeys


class PushSubscriptionOut(BaseModel):
    id: UUID
    endpoint_host: str
    created_at: datetime
    active: bool


class PublicKeyOut(BaseModel):
    public_key: str
