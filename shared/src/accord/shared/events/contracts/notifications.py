"""Events of the notifications service (topic accord.notifications.v1, keyed by recipient's client)."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from accord.shared.events.base import ClientEvent, UtcDatetime


class NotificationsEvent(ClientEvent):
    topic: ClassVar[str] = "accord.notifications.v1"


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    PUSH = "push"


class NotificationDelivered(NotificationsEvent):
    notification_id: UUID
    source_event_id: UUID
    recipient_id: UUID
    channel: Channel
    template_code: str = Field(max_length=60, pattern=r"^[a-z_]+$")
    delivered_at: UtcDatetime


class NotificationFailed(NotificationsEvent):
    notification_id: UUID
    source_event_id: UUID
    recipient_id: UUID
    channel: Channel
    template_code: str = Field(max_length=60, pattern=r"^[a-z_]+$")
    permanent: bool
    failed_at: UtcDatetime


class NotificationsExportPartStored(NotificationsEvent):
    """The notifications service's part of export `export_id` is stored and can be downloaded (ids and counts
    only: the part itself stays in this service's database)."""

    export_id: UUID
    records: int = Field(ge=0)


class NotificationsErasureApplied(NotificationsEvent):
    """The notifications service applied erasure request `request_id` to the client's records (ids only)."""

    request_id: UUID


class NotificationsRestrictionLiftApplied(NotificationsEvent):
    """The notifications service ended its restriction of the client's records that erasure request `request_id` put in
    place (`RestrictionLifted`), ids only."""

    request_id: UUID


class NotificationsEpisodeRecordsRemoved(NotificationsEvent):
    """The notifications service removed its records of episode `episode_id`, whose clinical retention period is over
    (`EpisodeRecordsExpired`), ids only."""

    episode_id: UUID
