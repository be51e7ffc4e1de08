from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from accord.shared.events.base import IntegrationEvent, UtcDatetime

_UNSEALED = {"episode_id", "sealed"}


class Envelope(BaseModel):
    """What travels on Kafka as the message value (JSON). Headers repeat the routing fields."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    event_type: str = Field(min_length=1, max_length=100, pattern=r"^[A-Z][A-Za-z]+$")
    schema_version: int = Field(ge=1)
    occurred_at: UtcDatetime
    producer: str = Field(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$")
    tenant_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    correlation_id: UUID
    causation_id: UUID | None = None
    partition_key: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any]
    episode_id: UUID | None = None
    """The episode a sealed event is about: which key opens it (`events/sealing.py`). None when not sealed."""
    sealed: str | None = None
    """The payload encrypted under the episode's key (base64 of nonce and ciphertext); `payload` is then empty."""

    @classmethod
    def wrap(
        cls,
        event: IntegrationEvent,
        *,
        producer: str,
        tenant_id: str,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        occurred_at: datetime | None = None,
        event_id: UUID | None = None,
    ) -> "Envelope":
        event_id = event_id or uuid4()
        return cls(
            event_id=event_id,
            event_type=event.event_type(),
            schema_version=event.schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            tenant_id=tenant_id,
            # A new chain of cause and effect starts with its first event.
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            partition_key=event.partition_key(),
            payload=event.model_dump(mode="json"),
        )

    def caused(self, event: IntegrationEvent, *, producer: str) -> "Envelope":
        """Wraps an event this one caused, carrying the correlation id and naming this one as its cause."""
        return Envelope.wrap(
            event,
            producer=producer,
            tenant_id=self.tenant_id,
            correlation_id=self.correlation_id,
            causation_id=self.event_id,
        )

    def open(self) -> IntegrationEvent:
        """The typed event inside; raises KeyError for an unknown type, ValidationError for a bad payload.

        A sealed envelope must be unsealed first (`events/sealing.py`): opening one is a bug, never a bad event."""
        if self.sealed is not None:
            raise RuntimeError(f"event {self.event_id} is sealed: unseal it with its episode's key first")
        from accord.shared.events.registry import event_class

        return event_class(self.event_type).model_validate(self.payload)

    def to_bytes(self) -> bytes:
        # An unsealed event's bytes stay as they were before sealing existed.
        unset = _UNSEALED if self.sealed is None and self.episode_id is None else None
        return self.model_dump_json(exclude=unset).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Envelope":
        return cls.model_validate_json(raw)
