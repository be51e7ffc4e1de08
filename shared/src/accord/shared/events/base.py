from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC; naive datetimes are rejected."""


class IntegrationEvent(BaseModel):
    """Base of every event that crosses a service boundary.

    Events are facts in the past tense, immutable once published. They carry identifiers and structured
    values only, never clinical free text (goal wording, notes, journal entries): a test checks every field.
    Unknown fields are ignored so that consumers keep working when a producer adds an optional field.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    schema_version: ClassVar[int] = 1
    key_field: ClassVar[str]
    """The payload field whose value keys the Kafka message, so one client's events stay in order."""

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    def partition_key(self) -> str:
        value: Any = getattr(self, self.key_field)
        return str(value)


class ClientEvent(IntegrationEvent):
    """An event of the domain topics: about one client, named by their id, which keys the message.

    The analytics stream's events name the client by a pseudonym instead (contracts/analytics.py), which is why
    the id lives here and not on IntegrationEvent.
    """

    key_field: ClassVar[str] = "client_id"

    client_id: UUID
