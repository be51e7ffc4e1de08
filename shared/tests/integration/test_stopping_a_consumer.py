"""A worker asked to stop while a batch is still being applied waits only its stop grace, then abandons the batch:
the transaction rolls back, no offset is committed, and the next consumer of the group applies the event once."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from accord.devtools.testing import Sandbox, create_topic, eventually, goal_paused
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.inbox import IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer
from accord.shared.runtime import consumer_broker
from accord.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration


class _Settings(ServiceSettings):
    service: ClassVar[str] = "test"


def _settings(sandbox: Sandbox) -> ServiceSettings:
    return _Settings.model_validate(
        {
            "database_url": sandbox.dsn,
            "KAFKA_BOOTSTRAP_SERVERS": sandbox.bootstrap,
            "ACCORD_OIDC_ISSUER": "http://issuer.test",
            "ACCORD_OIDC_JWKS": '{"keys": []}',
            "consumer_stop_grace_seconds": 0.5,
        }
    )


async def _count(sandbox: Sandbox, table: str, event: Envelope) -> int:
    return int(
        await sandbox.pool.fetchval(
            f"SELECT count(*) FROM {sandbox.schema}.{table} WHERE event_id = $1", event.event_id
        )
    )


async def _consume(sandbox: Sandbox, topic: str, group: str, handler: Callable[..., Any]) -> Any:
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    broker = consumer_broker(_settings(sandbox))
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=producer,
        handlers={"GoalPaused": handler},
        group_id=group,
    )
    subscribe(broker, consumer, [topic])
    await broker.start()
    return broker, producer


async def test_a_consumer_stopped_mid_batch_abandons_it_within_its_grace_and_the_next_one_applies_the_event_once(
    sandbox: Sandbox,
) -> None:
    topic, group = f"test.stop.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    await create_topic(sandbox.bootstrap, topic)
    event = goal_paused()
    entered, never = asyncio.Event(), asyncio.Event()

    async def stuck(conn: Any, envelope: Envelope, _: GoalPaused) -> None:
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)
        entered.set()
        await never.wait()  # a batch that will not finish by itself

    broker, producer = await _consume(sandbox, topic, group, stuck)
    await producer.send_and_wait(topic, event.to_bytes(), key=b"k")
    await asyncio.wait_for(entered.wait(), 60)
    # A guard against a hang, far above the grace and far below faststream's own 15 s default it replaces.
    await asyncio.wait_for(broker.stop(), 10)
    await producer.stop()
    assert (await _count(sandbox, "effects", event), await _count(sandbox, "inbox", event)) == (0, 0)

    async def applies(conn: Any, envelope: Envelope, _: GoalPaused) -> None:
        await conn.execute(f"INSERT INTO {sandbox.schema}.effects (event_id) VALUES ($1)", envelope.event_id)

    broker, producer = await _consume(sandbox, topic, group, applies)
    try:
        await eventually(lambda: _count(sandbox, "inbox", event), timeout=60)
        assert await _count(sandbox, "effects", event) == 1
    finally:
        await broker.stop()
        await producer.stop()
