from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused


def paused() -> GoalPaused:
    return GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4())


def test_a_new_envelope_starts_its_own_correlation_and_is_keyed_by_client() -> None:
    event = paused()
    envelope = Envelope.wrap(event, producer="goals", tenant_id="north-trust")
    assert envelope.correlation_id == envelope.event_id
    assert envelope.causation_id is None
    assert envelope.partition_key == str(event.client_id)
    assert envelope.event_type == "GoalPaused" and envelope.schema_version == 1
    assert envelope.occurred_at.tzinfo is not None


def test_a_caused_event_carries_the_correlation_and_names_its_cause() -> None:
    first = Envelope.wrap(paused(), producer="goals", tenant_id="t1")
    second = first.caused(paused(), producer="progress")
    assert second.correlation_id == first.correlation_id
    assert second.causation_id == first.event_id
    assert second.tenant_id == "t1" and second.producer == "progress"


def test_occurred_at_is_normalised_to_utc_and_naive_times_are_refused() -> None:
    local = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    envelope = Envelope.wrap(paused(), producer="goals", tenant_id="t", occurred_at=local)
    assert envelope.occurred_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError, match="occurred_at"):
        Envelope.wrap(paused(), producer="goals", tenant_id="t", occurred_at=datetime(2026, 3, 1, 12))


def test_bytes_round_trip_and_typed_open() -> None:
    event = paused()
    envelope = Envelope.wrap(event, producer="goals", tenant_id="t")
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert again.open() == event


def test_unknown_event_type_cannot_be_opened() -> None:
    envelope = Envelope.wrap(paused(), producer="goals", tenant_id="t").model_copy(update={"event_type": "Nope"})
    with pytest.raises(KeyError, match="Nope"):
        envelope.open()


def test_events_are_immutable() -> None:
    event = paused()
    with pytest.raises(ValidationError):
        event.goal_id = uuid4()  # type: ignore[misc]
