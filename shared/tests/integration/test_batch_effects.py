"""A batch effect applies a consumer batch's new events together, and keeps every guarantee of one by one."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from accord.devtools.testing import Sandbox, create_topic, goal_paused, header, read_topic
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalResumed
from accord.shared.inbox import BatchEffect, Delivered, IdempotentConsumer
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration


def records(topic: str, envelopes: Sequence[Envelope]) -> list[ConsumerRecord[bytes, bytes]]:
    """The envelopes as one batch of Kafka records, at offsets 0, 1, 2, ... of partition 0."""
    return [
        ConsumerRecord(topic, 0, offset, 0, 0, b"k", e.to_bytes(), None, 1, len(e.to_bytes()), ())
        for offset, e in enumerate(envelopes)
    ]


async def effects(sandbox: Sandbox) -> Counter[uuid.UUID]:
    rows = await sandbox.pool.fetch(f"SELECT event_id FROM {sandbox.schema}.effects")
    return Counter(r["event_id"] for r in rows)


@pytest.fixture
async def producer(sandbox: Sandbox) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    yield producer
    await producer.stop()


def consumer(sandbox: Sandbox, producer: AIOKafkaProducer, effect: BatchEffect, dlq: str) -> IdempotentConsumer:
    return IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": effect},
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        dead_letters_to=dlq,
        retry_backoff=0.01,
    )


async def test_a_duplicate_within_one_batch_and_one_from_an_earlier_batch_are_applied_once_by_a_batch_effect(
    sandbox: Sandbox, producer: AIOKafkaProducer
) -> None:
    calls: list[list[uuid.UUID]] = []

    async def insert_all(conn: Any, delivered: Sequence[Delivered]) -> None:
        calls.append([d.envelope.event_id for d in delivered])
        await conn.execute(
            f"INSERT INTO {sandbox.schema}.effects (event_id) SELECT unnest($1::uuid[])",
            [d.envelope.event_id for d in delivered],
        )

    inbox = consumer(sandbox, producer, BatchEffect(insert_all), dlq="unused")
    earlier, a, b = goal_paused(), goal_paused(), goal_paused()
    await inbox.handle_batch(records("t", [earlier]))
    await inbox.handle_batch(records("t", [a, earlier, a, b, a]))

    assert await effects(sandbox) == Counter({earlier.event_id: 1, a.event_id: 1, b.event_id: 1})
    assert calls == [[earlier.event_id], [a.event_id, b.event_id]]  # the second batch's new events in one call


async def test_a_poison_event_in_a_batch_is_dead_lettered_with_its_reason_and_the_rest_of_the_batch_is_applied(
    sandbox: Sandbox, producer: AIOKafkaProducer
) -> None:
    dlq = f"test.dlq.{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, dlq)
    batch = [goal_paused() for _ in range(6)]
    doomed = batch[3]
    tries: Counter[uuid.UUID] = Counter()

    async def insert_all(conn: Any, delivered: Sequence[Delivered]) -> None:
        ids = [d.envelope.event_id for d in delivered]
        tries.update(ids)
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) SELECT unnest($1::uuid[])", ids)
        if doomed.event_id in ids:  # after its write: the failure must undo the write of the others too
            raise RuntimeError("this event cannot be applied")

    inbox = consumer(sandbox, producer, BatchEffect(insert_all), dlq=dlq)
    await inbox.handle_batch(records("t", batch))

    assert await effects(sandbox) == Counter({e.event_id: 1 for e in batch if e is not doomed})
    [dead] = await read_topic(sandbox.bootstrap, dlq, lambda found: len(found) >= 1)
    assert dead.value == doomed.to_bytes()
    assert header(dead, "dlq.original_offset") == "3"
    assert "RuntimeError: this event cannot be applied" in (header(dead, "dlq.reason") or "")
    assert tries[doomed.event_id] == 1 + inbox.max_attempts  # the batch's try, then its own bounded retries
    # The poison event left no inbox row, so a replay after a fix is applied; every other event has one.
    inbox_rows = {r["event_id"] for r in await sandbox.pool.fetch(f"SELECT event_id FROM {sandbox.schema}.inbox")}
    assert inbox_rows == {e.event_id for e in batch if e is not doomed}


async def test_events_of_a_batch_effect_and_of_a_per_event_handler_are_applied_in_their_order_on_the_topic(
    sandbox: Sandbox, producer: AIOKafkaProducer
) -> None:
    order: list[tuple[str, list[uuid.UUID]]] = []

    async def together(conn: Any, delivered: Sequence[Delivered]) -> None:
        order.append(("together", [d.envelope.event_id for d in delivered]))

    async def alone(conn: Any, envelope: Envelope, event: Any) -> None:
        order.append(("alone", [envelope.event_id]))

    paused = [goal_paused() for _ in range(4)]
    other = Envelope.wrap(
        GoalResumed(client_id=uuid.uuid4(), goal_id=uuid.uuid4(), resumed_by=uuid.uuid4()),
        producer="goals",
        tenant_id="test-tenant",
    )
    inbox = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": BatchEffect(together), "GoalResumed": alone},
        group_id=f"g-{uuid.uuid4().hex[:8]}",
    )
    await inbox.handle_batch(records("t", [paused[0], paused[1], other, paused[2], paused[3]]))

    assert order == [
        ("together", [paused[0].event_id, paused[1].event_id]),
        ("alone", [other.event_id]),
        ("together", [paused[2].event_id, paused[3].event_id]),
    ]
