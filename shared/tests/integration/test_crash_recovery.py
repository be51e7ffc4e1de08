"""kill -9 at the worst moments: nothing is lost and no effect happens twice."""

import uuid
from collections import Counter
from typing import Any

import pytest

from accord.devtools.testing import (
    Sandbox,
    committed_offset,
    create_topic,
    event_ids,
    eventually,
    goal_paused,
    of,
    read_topic,
)
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer
from accord.shared.kafka import new_producer
from accord.shared.outbox import Outbox

pytestmark = pytest.mark.integration


async def effects(sandbox: Sandbox) -> Counter[uuid.UUID]:
    rows = await sandbox.pool.fetch(f"SELECT event_id FROM {sandbox.schema}.effects")
    return Counter(r["event_id"] for r in rows)


async def test_relay_killed_after_kafka_ack_before_marking_sent_publishes_again_and_effects_happen_once(
    sandbox: Sandbox, processes: Any
) -> None:
    envelopes = [goal_paused() for _ in range(20)]
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add_many(conn, envelopes)
    env = {"DSN": sandbox.dsn, "SCHEMA": sandbox.schema, "BOOTSTRAP": sandbox.bootstrap}

    first = processes("relay_process.py", ACCORD_FAULT_POINT="relay.after_publish", **env)
    await first.wait_for_line("FAULT-POINT-REACHED relay.after_publish")
    first.kill_9()
    # Kafka has every event; the outbox still says none was sent.
    await read_topic(sandbox.bootstrap, "accord.goals.v1", lambda f: len(f) >= 20, keep=of(envelopes))
    unsent = await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox WHERE sent_at IS NULL")
    assert unsent == 20

    second = processes("relay_process.py", **env)

    async def all_sent() -> bool:
        return await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox WHERE sent_at IS NULL") == 0

    await eventually(all_sent)
    assert second.stop() == 0
    records = await read_topic(sandbox.bootstrap, "accord.goals.v1", lambda f: len(f) >= 40, keep=of(envelopes))
    assert Counter(event_ids(records)) == Counter({e.event_id: 2 for e in envelopes})  # published again

    # The consumer's inbox turns the duplicates into a single effect each.
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    try:

        async def record_effect(conn: Any, envelope: Envelope, event: Any) -> None:
            await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)

        consumer = IdempotentConsumer(
            service="test",
            schema=sandbox.schema,
            pool=sandbox.pool,
            producer=producer,
            handlers={"GoalPaused": record_effect},
        )
        await consumer.handle_batch(records)
    finally:
        await producer.stop()
    assert await effects(sandbox) == Counter({e.event_id: 1 for e in envelopes})


@pytest.mark.parametrize("effect", ["one_event_at_a_time", "a_batch_effect"])
async def test_consumer_killed_after_its_database_commit_before_its_offset_commit_applies_each_effect_once(
    sandbox: Sandbox, processes: Any, effect: str
) -> None:
    topic, dlq, group = (
        f"test.{uuid.uuid4().hex[:8]}",
        f"test.dlq.{uuid.uuid4().hex[:8]}",
        f"g-{uuid.uuid4().hex[:8]}",
    )
    await create_topic(sandbox.bootstrap, topic)
    await create_topic(sandbox.bootstrap, dlq)
    envelopes = [goal_paused() for _ in range(30)]
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    try:
        for e in envelopes:
            await producer.send_and_wait(
                topic,
                e.to_bytes(),
                key=e.partition_key.encode(),
                headers=[("event_id", str(e.event_id).encode())],
            )
    finally:
        await producer.stop()
    env = {
        "DSN": sandbox.dsn,
        "SCHEMA": sandbox.schema,
        "BOOTSTRAP": sandbox.bootstrap,
        "TOPIC": topic,
        "DLQ": dlq,
        "GROUP": group,
        "MAX_RECORDS": "10",
        **({"BATCHED": "1"} if effect == "a_batch_effect" else {}),
    }

    first = processes("consumer_process.py", ACCORD_FAULT_POINT="consumer.after_db_commit", **env)
    await first.wait_for_line("FAULT-POINT-REACHED consumer.after_db_commit")
    first.kill_9()
    applied_before_crash = await effects(sandbox)
    assert 0 < sum(applied_before_crash.values()) < 30
    assert await committed_offset(sandbox.bootstrap, group, topic) in (None, 0)

    second = processes("consumer_process.py", **env)

    async def all_applied() -> bool:
        return len(await effects(sandbox)) == 30

    await eventually(all_applied)
    await eventually(lambda: _offset_is(sandbox.bootstrap, group, topic, 30))
    assert second.stop() == 0
    assert await effects(sandbox) == Counter({e.event_id: 1 for e in envelopes})  # redelivered, applied once
    inbox = await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.inbox WHERE consumer_group = $1", group)
    assert inbox == 30


async def _offset_is(bootstrap: str, group: str, topic: str, expected: int) -> bool:
    return await committed_offset(bootstrap, group, topic) == expected
