"""A message that cannot be handled goes to the dead-letter topic with the reason; the partition moves on."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from accord.devtools.testing import (
    Sandbox,
    committed_offset,
    create_topic,
    eventually,
    goal_paused,
    header,
    read_topic,
)
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration


@dataclass
class Rig:
    """A consumer whose handler always fails on `doomed` and records every other event in the effects table."""

    topic: str
    dlq: str
    group: str
    doomed: Envelope
    attempts: list[uuid.UUID]
    producer: AIOKafkaProducer
    broker: KafkaBroker

    async def send(self, value: bytes, headers: list[tuple[str, bytes]] | None = None) -> None:
        await self.producer.send_and_wait(self.topic, value, key=b"k", headers=headers or [])


@asynccontextmanager
async def failing_consumer(sandbox: Sandbox) -> AsyncIterator[Rig]:
    topic, dlq = f"test.{uuid.uuid4().hex[:8]}", f"test.dlq.{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, topic)
    await create_topic(sandbox.bootstrap, dlq)
    doomed, attempts = goal_paused(), []

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        attempts.append(envelope.event_id)
        if envelope.event_id == doomed.event_id:
            raise RuntimeError("this handler always fails")
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)

    group = f"g-{uuid.uuid4().hex[:8]}"
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    broker = KafkaBroker(sandbox.bootstrap, logger=None)
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": handler},
        group_id=group,
        dead_letters_to=dlq,
        max_attempts=3,
        retry_backoff=0.01,
    )
    subscribe(broker, consumer, [topic])
    try:
        yield Rig(topic, dlq, group, doomed, attempts, producer, broker)
    finally:
        await broker.stop()
        await producer.stop()


async def test_poison_and_always_failing_messages_are_dead_lettered_and_the_rest_processed(
    sandbox: Sandbox,
) -> None:
    before, after = goal_paused(), goal_paused()
    wrong_shape = before.model_copy(update={"event_id": uuid.uuid4(), "payload": {"client_id": "not-a-uuid"}})
    async with failing_consumer(sandbox) as rig:
        doomed, topic = rig.doomed, rig.topic
        for value in [
            before.to_bytes(),
            b"\x00not json at all",
            wrong_shape.to_bytes(),
            doomed.to_bytes(),
            after.to_bytes(),
        ]:
            await rig.send(value)
        await rig.broker.start()

        async def after_is_applied() -> bool:
            return bool(
                await sandbox.pool.fetchval(
                    f"SELECT count(*) FROM {sandbox.schema}.effects WHERE event_id = $1", after.event_id
                )
            )

        await eventually(after_is_applied)
        dead = await read_topic(sandbox.bootstrap, rig.dlq, lambda f: len(f) >= 3)

    assert rig.attempts.count(doomed.event_id) == 3  # bounded retries, then the dead-letter topic
    by_offset = {int(header(r, "dlq.original_offset") or -1): r for r in dead}
    assert sorted(by_offset) == [1, 2, 3]
    assert by_offset[1].value == b"\x00not json at all"
    assert "undecodable" in (header(by_offset[1], "dlq.reason") or "")
    assert "client_id" in (header(by_offset[2], "dlq.reason") or "")
    assert "not-a-uuid" not in (header(by_offset[2], "dlq.reason") or "")  # no rejected values in reasons
    assert "RuntimeError" in (header(by_offset[3], "dlq.reason") or "")
    assert all(header(r, "dlq.original_topic") == topic and header(r, "dlq.original_partition") == "0" for r in dead)
    applied = {r["event_id"] for r in await sandbox.pool.fetch(f"SELECT event_id FROM {sandbox.schema}.effects")}
    assert applied == {before.event_id, after.event_id}
    # The failed event left no inbox row behind, so a replay after a fix will be processed.
    assert not await sandbox.pool.fetchval(
        f"SELECT count(*) FROM {sandbox.schema}.inbox WHERE event_id = $1", doomed.event_id
    )


async def test_an_event_dead_lettered_once_is_not_dead_lettered_again_when_a_copy_arrives_but_each_replay_is(
    sandbox: Sandbox,
) -> None:
    """A relay that republishes after a fault sends the same event twice; the group dead-letters it once. A replay
    (marked with the dead letter it replays) is a new attempt: if it fails again it is dead-lettered again, once."""
    after = goal_paused()
    async with failing_consumer(sandbox) as rig:

        async def records() -> int:
            query = f"SELECT count(*) FROM {sandbox.schema}.dead_letter_records WHERE consumer_group = $1"
            return int(await sandbox.pool.fetchval(query, rig.group))

        async def all_handled() -> bool:  # offsets commit after a batch's dead letters are acknowledged
            return await committed_offset(sandbox.bootstrap, rig.group, rig.topic) == 7

        def replay(of: str) -> list[tuple[str, bytes]]:
            return [("dlq.replay_of", of.encode())]

        await rig.send(rig.doomed.to_bytes())
        await rig.broker.start()
        await eventually(records)  # the first copy is dead-lettered and recorded
        for headers in ([], replay("dlq/0/0"), replay("dlq/0/0"), [], replay("dlq/0/7")):
            await rig.send(rig.doomed.to_bytes(), headers)
        await rig.send(after.to_bytes())
        await eventually(all_handled)
        dead = await read_topic(sandbox.bootstrap, rig.dlq, lambda found: len(found) >= 3)

    assert [header(r, "dlq.original_offset") for r in dead] == ["0", "2", "5"]
    assert [header(r, "dlq.replay_of") for r in dead] == [None, "dlq/0/0", "dlq/0/7"]
    assert await records() == 3
    assert await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.effects") == 1  # `after` only


async def test_a_type_without_a_handler_is_passed_over_by_its_header_undecoded_and_committed_past(
    sandbox: Sandbox,
) -> None:
    """The relay names each record's event type in a header. A group passes over a type it has no handler for
    without decoding the payload (so one it could not decode is not its dead letter) and commits past it, so it is
    never delivered to the group again; a record naming a type the group handles is still decoded, and
    dead-lettered when it cannot be."""
    after = goal_paused()
    handled = [("event_type", b"GoalPaused")]
    async with failing_consumer(sandbox) as rig:
        for _ in range(3):
            await rig.send(b"{not for this group", [("event_type", b"GoalRatingRecorded")])
        await rig.send(b"{named as an event this group handles", handled)
        await rig.send(after.to_bytes(), handled)
        await rig.broker.start()

        async def all_committed() -> bool:
            return await committed_offset(sandbox.bootstrap, rig.group, rig.topic) == 5

        await eventually(all_committed)
        dead = await read_topic(sandbox.bootstrap, rig.dlq, lambda found: len(found) >= 1)

    assert [header(r, "dlq.original_offset") for r in dead] == ["3"]
    assert "undecodable" in (header(dead[0], "dlq.reason") or "")
    applied = {r["event_id"] for r in await sandbox.pool.fetch(f"SELECT event_id FROM {sandbox.schema}.effects")}
    assert applied == {after.event_id}
    assert await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.inbox") == 1
