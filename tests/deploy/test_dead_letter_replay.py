"""The operator's dead-letter replay against a real Kafka and PostgreSQL: an event whose handler failed is
dead-lettered, replayed with `accord-ops dlq replay` once the cause is fixed, and processed exactly once."""

import uuid
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import create_topic, eventually, goal_paused, header, read_topic
from accord.ops.lag import group_lag
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration


async def test_a_dead_letter_replayed_after_the_fix_is_processed_exactly_once(
    infra: Infra, sandbox: Any, ops: Any
) -> None:
    bootstrap, suffix = infra.bootstrap_servers, uuid.uuid4().hex[:8]
    topic, dlq, group = f"test.events.{suffix}", f"test.dlq.{suffix}", f"test-{suffix}"
    await create_topic(bootstrap, topic, partitions=3)
    await create_topic(bootstrap, dlq)
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    bug = {"fixed": False}

    async def on_goal_paused(conn: Any, envelope: Envelope, event: Any) -> None:
        if not bug["fixed"]:
            raise RuntimeError("the bug")
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)

    producer = new_producer(bootstrap, "test")
    await producer.start()
    broker = KafkaBroker(bootstrap, logger=None)
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": on_goal_paused},
        group_id=group,
        dead_letters_to=dlq,
        max_attempts=2,
        retry_backoff=0.01,
    )
    subscribe(broker, consumer, [topic])
    event = goal_paused()
    headers = [("event_id", str(event.event_id).encode()), ("event_type", b"GoalPaused")]
    try:
        await broker.start()
        sent = await producer.send_and_wait(topic, event.to_bytes(), key=b"client-1", headers=headers)
        await read_topic(bootstrap, dlq, lambda found: len(found) == 1)

        # Replayed before the fix: it fails again and is dead-lettered again, nothing lost.
        first = await ops("dlq", "replay", "test", "--topic", dlq, env=env)
        assert first.code == 0 and "replayed 1 dead letter(s)" in first.out, first.out
        await read_topic(bootstrap, dlq, lambda found: len(found) == 2)

        bug["fixed"] = True
        second = await ops("dlq", "replay", "test", "--topic", dlq, env=env)
        assert second.code == 0 and "replayed 1 dead letter(s)" in second.out, second.out  # only the new one

        async def applied() -> int:
            return int(await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.effects") or 0)

        await eventually(applied)
        third = await ops("dlq", "replay", "test", "--topic", dlq, env=env)
        assert third.code == 0 and "replayed 0 dead letter(s)" in third.out, third.out  # safe to re-run

        async def caught_up() -> bool:
            return all(row.lag == 0 for row in await group_lag(bootstrap, group, [topic]))

        await eventually(caught_up)  # the consumer has seen everything on the topic...
        assert await applied() == 1  # ...and applied the event once
    finally:
        await broker.stop()
        await producer.stop()

    copies = await read_topic(bootstrap, topic, lambda found: len(found) == 3)
    assert {(r.partition, r.key, r.value) for r in copies} == {(sent.partition, b"client-1", event.to_bytes())}
    assert all(header(r, "event_id") == str(event.event_id) for r in copies)
    # The original and two replays, each replay marked with the dead letter it replays, and no other bookkeeping.
    assert [header(r, "dlq.replay_of") for r in copies] == [None, f"{dlq}/0/0", f"{dlq}/0/1"]
    assert not any(k.startswith("dlq.") and k != "dlq.replay_of" for r in copies for k, _ in r.headers or ())

    listed = await ops("dlq", "list", "test", "--topic", dlq, env=env)
    assert listed.code == 0 and listed.out.count("GoalPaused") == 2 and "RuntimeError" in listed.out, listed.out
