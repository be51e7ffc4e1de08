"""A consumer whose offset commit never returns (as aiokafka's can after its broker is killed and started again) is
started again in the same process: the subscriber gets a new consumer, the wedged one is abandoned even though its
own stop never returns, and every event is applied once, the batch that wedged included."""

import asyncio
import uuid
from typing import Any, ClassVar

import pytest
from aiokafka import AIOKafkaConsumer

from accord.devtools.testing import Sandbox, create_topic, eventually, goal_paused
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.inbox import IdempotentConsumer, subscribe, wedged
from accord.shared.kafka import new_producer
from accord.shared.metrics import CONSUMERS_RESTARTED
from accord.shared.runtime import consumer_broker
from accord.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration


class _Settings(ServiceSettings):
    service: ClassVar[str] = "test"


async def _count(sandbox: Sandbox, table: str, event: Envelope) -> int:
    sql = f"SELECT count(*) FROM {sandbox.schema}.{table} WHERE event_id = $1"
    return int(await sandbox.pool.fetchval(sql, event.event_id))


async def test_a_consumer_whose_commit_wedges_is_started_again_and_applies_every_event_once(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic, group = f"test.wedge.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, topic)
    stuck: list[AIOKafkaConsumer] = []
    commit, stop = AIOKafkaConsumer.commit, AIOKafkaConsumer.stop

    async def wedging_commit(self: AIOKafkaConsumer, *args: Any, **kwargs: Any) -> None:
        if not stuck or self is stuck[0]:  # the first consumer wedges, as aiokafka's did in CI
            stuck[:1] = [self]
            await asyncio.Event().wait()
        await commit(self, *args, **kwargs)

    async def wedged_stop(self: AIOKafkaConsumer) -> None:
        if stuck and self is stuck[0]:
            await asyncio.Event().wait()  # its stop waits on the wedged coordinator too
        await stop(self)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", wedging_commit)
    monkeypatch.setattr(AIOKafkaConsumer, "stop", wedged_stop)
    monkeypatch.setattr(wedged, "STOP_TIMEOUT_SECONDS", 1.0)

    async def applies(conn: Any, envelope: Envelope, _: GoalPaused) -> None:
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)

    settings = _Settings.model_validate(
        {
            "database_url": sandbox.dsn,
            "KAFKA_BOOTSTRAP_SERVERS": sandbox.bootstrap,
            "ACCORD_OIDC_ISSUER": "http://issuer.test",
            "ACCORD_OIDC_JWKS": '{"keys": []}',
            "consumer_stop_grace_seconds": 0.5,
        }
    )
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    broker = consumer_broker(settings)
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": applies},
        group_id=group,
    )
    subscriber = subscribe(broker, consumer, [topic], commit_timeout_seconds=1.0).subscriber
    restarted_before = CONSUMERS_RESTARTED.labels("test", group)._value.get()
    await broker.start()
    try:
        first, second = goal_paused(), goal_paused()
        await producer.send_and_wait(topic, first.to_bytes(), key=b"k")
        await eventually(lambda: _count(sandbox, "inbox", first), timeout=60)  # applied; its commit wedges
        await eventually(lambda: bool(stuck) and subscriber.consumer not in (None, stuck[0]), timeout=60)
        await producer.send_and_wait(topic, second.to_bytes(), key=b"k")
        await eventually(lambda: _count(sandbox, "inbox", second), timeout=60)

        assert [await _count(sandbox, "effects", e) for e in (first, second)] == [1, 1]
        assert CONSUMERS_RESTARTED.labels("test", group)._value.get() == restarted_before + 1
        coordinator: Any = stuck[0]._coordinator
        assert coordinator._heartbeat_task is None or coordinator._heartbeat_task.done()  # no zombie member
    finally:
        await asyncio.wait_for(broker.stop(), 30)
        await producer.stop()
        if stuck:  # the abandoned consumer, closed here so the test leaves nothing open
            await asyncio.wait_for(stop(stuck[0]), 10)
