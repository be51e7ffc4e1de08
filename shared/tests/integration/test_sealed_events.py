"""The inbox consumer opens sealed events with its service's own keys: an event whose key has not arrived waits (the
batch fails and is delivered again, nothing dead-lettered) until the wait's bound, and is then dead-lettered with the
reason while the rest of its batch is applied; one whose key is destroyed is passed over and counted, and a tombstone
of the keys topic is nothing to apply. A key arrives wrapped; one under a wrapping key not given is
dead-lettered."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka.structs import ConsumerRecord

from accord.devtools.testing import Sandbox
from accord.shared.episode_keys import EpisodeKeys, Opener, episode_keys_ddl, key_issued, on_episode_key_issued
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.events.sealing import KeyNotHere, WrappingKeys, new_key, seal
from accord.shared.inbox import IdempotentConsumer
from accord.shared.metrics import CONSUMER_PROCESSED
from accord.shared.outbox.store import envelope_headers

pytestmark = pytest.mark.integration


class NoDeadLetters:
    async def send(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("nothing here may be dead-lettered")


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes, dict[str, bytes]]] = []

    async def send(
        self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> "asyncio.Future[None]":
        self.sent.append((value, dict(headers)))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(envelope: Envelope | None, offset: int) -> "ConsumerRecord[bytes, bytes]":
    headers = [] if envelope is None else [(k, v.encode()) for k, v in envelope_headers(envelope).items()]
    value = None if envelope is None else envelope.to_bytes()
    return ConsumerRecord("accord.goals.v1", 0, offset, 0, 0, b"k", value, None, 0, 0, headers)  # type: ignore[arg-type]


async def test_a_sealed_event_waits_for_its_key_is_applied_with_it_and_passed_over_once_it_is_destroyed(
    sandbox: Sandbox,
) -> None:
    for statement in episode_keys_ddl(sandbox.schema):
        await sandbox.pool.execute(statement)
    applied: list[Any] = []

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        applied.append(event)

    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=NoDeadLetters(),  # type: ignore[arg-type]
        handlers={"GoalPaused": handler},
        group_id=f"g-{uuid4().hex[:8]}",
        opener=Opener(EpisodeKeys(sandbox.schema), sandbox.pool, wait_seconds=0),
    )
    live, gone, key, gone_key = uuid4(), uuid4(), new_key(), new_key()

    def paused(episode: UUID, with_key: bytes) -> tuple[GoalPaused, Envelope]:
        event = GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4())
        return event, seal(Envelope.wrap(event, producer="goals", tenant_id="t"), episode, with_key)

    (event, first), (_, second) = paused(live, key), paused(gone, gone_key)
    with pytest.raises(KeyNotHere):
        await consumer.handle_batch([record(first, 0)])
    assert applied == [] and await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.inbox") == 0

    keys = EpisodeKeys(sandbox.schema)
    async with sandbox.pool.acquire() as conn:
        await keys.store(conn, "t", live, key)
        await keys.store(conn, "t", gone, gone_key)
        await keys.destroy(conn, "t", gone)
        assert not await keys.store(conn, "t", gone, gone_key)  # a late copy is never taken back
    expired = CONSUMER_PROCESSED.labels("test", "GoalPaused", "expired")
    before = expired._value.get()
    await consumer.handle_batch([record(first, 0), record(second, 1), record(None, 2)])
    assert applied == [event]
    assert expired._value.get() == before + 1


async def test_an_event_whose_key_never_comes_is_dead_lettered_with_the_reason_after_the_wait_and_its_batch_goes_on(
    sandbox: Sandbox,
) -> None:
    for statement in episode_keys_ddl(sandbox.schema):
        await sandbox.pool.execute(statement)
    applied: list[Any] = []

    async def handler(conn: Any, envelope: Envelope, event: Any) -> None:
        applied.append(event.goal_id)

    clock, dead_letters = Clock(), DeadLetters()
    opener = Opener(EpisodeKeys(sandbox.schema), sandbox.pool, wait_seconds=0, give_up_seconds=60, clock=clock)
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=dead_letters,  # type: ignore[arg-type]
        handlers={"GoalPaused": handler},
        group_id=f"g-{uuid4().hex[:8]}",
        opener=opener,
    )
    lost, here, here_key = uuid4(), uuid4(), new_key()
    async with sandbox.pool.acquire() as conn:
        await EpisodeKeys(sandbox.schema).store(conn, "t", here, here_key)
    lost_event = GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4())
    here_event = GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4())
    batch = [
        record(seal(Envelope.wrap(lost_event, producer="goals", tenant_id="t"), lost, new_key()), 0),
        record(seal(Envelope.wrap(here_event, producer="goals", tenant_id="t"), here, here_key), 1),
    ]

    with pytest.raises(KeyNotHere):
        await consumer.handle_batch(batch)
    clock.now += 59
    with pytest.raises(KeyNotHere):
        await consumer.handle_batch(batch)  # still within the wait: the whole batch is held back
    assert applied == [] and dead_letters.sent == []

    clock.now += 1
    await consumer.handle_batch(batch)
    assert applied == [here_event.goal_id]
    [(value, headers)] = dead_letters.sent
    assert Envelope.from_bytes(value).event_id == Envelope.from_bytes(batch[0].value or b"").event_id
    assert headers["dlq.reason"].decode().startswith(f"episode key not here after 60 s: the key of episode {lost}")


async def test_a_key_that_arrives_within_the_wait_starts_the_clock_again_for_a_later_loss(sandbox: Sandbox) -> None:
    for statement in episode_keys_ddl(sandbox.schema):
        await sandbox.pool.execute(statement)
    clock = Clock()
    opener = Opener(EpisodeKeys(sandbox.schema), sandbox.pool, wait_seconds=0, give_up_seconds=60, clock=clock)
    episode, key = uuid4(), new_key()
    event = GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4())
    sealed = [record(seal(Envelope.wrap(event, producer="goals", tenant_id="t"), episode, key), 0)]

    await opener.for_records(sealed, {"GoalPaused"})
    clock.now += 30
    async with sandbox.pool.acquire() as conn:
        await EpisodeKeys(sandbox.schema).store(conn, "t", episode, key)
    found = await opener.for_records(sealed, {"GoalPaused"})  # the key is here now: the episode is forgotten
    assert found.unseal(Envelope.from_bytes(sealed[0].value or b"")).payload["goal_id"] == str(event.goal_id)
    clock.now += 3600
    assert not opener.given_up(episode)


async def test_a_key_arrives_wrapped_is_kept_unwrapped_and_one_under_a_wrapping_key_not_given_is_dead_lettered(
    sandbox: Sandbox,
) -> None:
    for statement in episode_keys_ddl(sandbox.schema):
        await sandbox.pool.execute(statement)
    given, other = WrappingKeys({"2026-11": new_key()}, "2026-11"), WrappingKeys({"2025-01": new_key()}, "2025-01")
    dead_letters = DeadLetters()
    consumer = IdempotentConsumer(
        service="test",
        schema=sandbox.schema,
        pool=sandbox.pool,
        producer=dead_letters,  # type: ignore[arg-type]
        handlers={"EpisodeKeyIssued": on_episode_key_issued(sandbox.schema, given)},
        group_id=f"g-{uuid4().hex[:8]}",
        retry_backoff=0,
    )
    (here, here_key), (lost, lost_key) = (uuid4(), new_key()), (uuid4(), new_key())
    issued = [
        Envelope.wrap(key_issued(uuid4(), here, here_key, given), producer="goals", tenant_id="t"),
        Envelope.wrap(key_issued(uuid4(), lost, lost_key, other), producer="goals", tenant_id="t"),
    ]

    await consumer.handle_batch([record(e, offset) for offset, e in enumerate(issued)])

    async with sandbox.pool.acquire() as conn:
        assert await EpisodeKeys(sandbox.schema).lookup(conn, [here, lost]) == {here: here_key}
    [(value, headers)] = dead_letters.sent
    assert Envelope.from_bytes(value).event_id == issued[1].event_id
    assert "episode key wrapped under '2025-01', a wrapping key not given" in headers["dlq.reason"].decode()
