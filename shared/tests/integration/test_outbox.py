"""The transactional outbox against real PostgreSQL and Kafka."""

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from aiokafka.errors import KafkaTimeoutError

from accord.devtools.testing import Sandbox, event_ids, eventually, goal_paused, header, of, read_topic
from accord.shared.events import Envelope
from accord.shared.kafka import new_producer
from accord.shared.outbox import Outbox, OutboxRelay

pytestmark = pytest.mark.integration
TOPIC = "accord.goals.v1"


async def relay_for(sandbox: Sandbox) -> tuple[OutboxRelay, object]:
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    return OutboxRelay(service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer), producer


async def test_rolled_back_events_are_never_published_and_committed_ones_are_published_once(
    sandbox: Sandbox,
) -> None:
    outbox = Outbox(sandbox.schema)
    rolled_back, committed = goal_paused(), goal_paused()
    with pytest.raises(RuntimeError):
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, rolled_back)
            raise RuntimeError("the domain change failed")
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, committed)

    relay, producer = await relay_for(sandbox)
    try:
        assert await relay.relay_once() == 1
        assert await relay.relay_once() == 0
    finally:
        await producer.stop()  # type: ignore[attr-defined]

    both = of([rolled_back, committed])
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda found: len(found) >= 1, keep=both)
    await asyncio.sleep(0.5)  # anything published twice would have arrived by now
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda found: len(found) >= 1, keep=both)
    assert event_ids(records) == [committed.event_id]
    record = records[0]
    assert record.key == committed.partition_key.encode()
    assert header(record, "event_type") == "GoalPaused"
    assert header(record, "tenant_id") == "test-tenant"
    assert header(record, "correlation_id") == str(committed.correlation_id)
    assert Envelope.from_bytes(record.value or b"") == committed
    unsent = await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox WHERE sent_at IS NULL")
    assert unsent == 0


async def test_outbox_refuses_to_write_outside_a_transaction(sandbox: Sandbox) -> None:
    async with sandbox.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            await Outbox(sandbox.schema).add(conn, goal_paused())


async def test_a_row_that_commits_after_a_higher_numbered_one_is_still_published(sandbox: Sandbox) -> None:
    outbox = Outbox(sandbox.schema)
    slow, fast = goal_paused(), goal_paused()
    relay, producer = await relay_for(sandbox)
    try:
        async with sandbox.pool.acquire() as slow_conn:
            slow_tx = slow_conn.transaction()
            await slow_tx.start()
            await outbox.add(slow_conn, slow)  # takes the lower id, commits last
            async with sandbox.pool.acquire() as fast_conn, fast_conn.transaction():
                await outbox.add(fast_conn, fast)
            assert await relay.relay_once() == 1  # only the committed, higher-numbered row is visible
            await slow_tx.commit()
        assert await relay.relay_once() == 1
    finally:
        await producer.stop()  # type: ignore[attr-defined]
    ids = await sandbox.pool.fetch(f"SELECT id, event_id FROM {sandbox.schema}.outbox ORDER BY id")
    assert [r["event_id"] for r in ids] == [slow.event_id, fast.event_id]
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 2, keep=of([slow, fast]))
    assert sorted(map(str, event_ids(records))) == sorted([str(slow.event_id), str(fast.event_id)])


async def test_several_relays_publish_each_row_once_and_keep_each_clients_order(sandbox: Sandbox) -> None:
    clients = [uuid4() for _ in range(10)]
    envelopes = [goal_paused(clients[i % len(clients)]) for i in range(600)]
    outbox = Outbox(sandbox.schema)
    for start in range(0, len(envelopes), 50):
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await outbox.add_many(conn, envelopes[start : start + 50])

    stop = asyncio.Event()
    relays = []
    producers = []
    for _ in range(3):
        relay, producer = await relay_for(sandbox)
        relay.batch_size = 37  # small batches, so the relays really interleave
        relays.append(asyncio.create_task(relay.run(stop)))
        producers.append(producer)

    async def drained() -> bool:
        return await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox WHERE sent_at IS NULL") == 0

    try:
        for _ in range(300):
            if await drained():
                break
            await asyncio.sleep(0.1)
        assert await drained()
    finally:
        stop.set()
        await asyncio.gather(*relays)
        for producer in producers:
            await producer.stop()  # type: ignore[attr-defined]

    records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 600, keep=of(envelopes))
    await asyncio.sleep(0.3)
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 600, keep=of(envelopes))
    assert len(records) == 600 and len(Counter(event_ids(records))) == 600
    published_order: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        published_order[(record.key or b"").decode()].append(json.loads(record.value or b"")["event_id"])
    for client in clients:
        expected = [str(e.event_id) for e in envelopes if e.partition_key == str(client)]
        assert published_order[str(client)] == expected


class UnreachableKafka:
    """A producer whose every send fails, as when the brokers are down."""

    async def send(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("no broker")


async def test_a_failed_publish_leaves_rows_unsent_and_a_later_attempt_publishes_them(sandbox: Sandbox) -> None:
    envelope = goal_paused()
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add(conn, envelope)
    failing = OutboxRelay(service="test", schema=sandbox.schema, pool=sandbox.pool, producer=UnreachableKafka())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await failing.relay_once()
    row = await sandbox.pool.fetchrow(f"SELECT sent_at, attempts, last_error FROM {sandbox.schema}.outbox")
    assert row is not None
    assert (row["sent_at"], row["attempts"], row["last_error"]) == (None, 1, "ConnectionError")

    relay, producer = await relay_for(sandbox)
    try:
        assert await relay.relay_once() == 1
    finally:
        await producer.stop()  # type: ignore[attr-defined]
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 1, keep=of([envelope]))
    assert event_ids(records) == [envelope.event_id]


class UnacknowledgingKafka:
    """A producer that takes every send but whose acknowledgements fail, as when a partition's leader is lost."""

    async def send(self, *args: object, **kwargs: object) -> "asyncio.Future[None]":
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        ack.set_exception(KafkaTimeoutError())
        return ack


class AcknowledgingKafka:
    """A producer whose every send is acknowledged at once."""

    async def send(self, *args: object, **kwargs: object) -> "asyncio.Future[None]":
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        ack.set_result(None)
        return ack


@contextmanager
def loop_complaints() -> Iterator[list[str]]:
    """What the event loop is told of meanwhile: asyncpg tells it of a connection released to its pool in a
    transaction (which it then rolls back itself)."""
    loop = asyncio.get_running_loop()
    complaints: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: complaints.append(str(context["message"])))
    try:
        yield complaints
    finally:
        loop.set_exception_handler(previous)


async def _a_failed_batch_is_rolled_back(sandbox: Sandbox, producer: Any, error: str) -> None:
    """Two rows, a relay on a pool of one connection whose batch fails: the claim is rolled back by the relay itself,
    the rows stay unsent (and queued, unlocked, for the next claim), and the connection goes back to the pool clean."""
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add_many(conn, [goal_paused(), goal_paused()])
    pool = await asyncpg.create_pool(sandbox.dsn, min_size=1, max_size=1)
    assert pool is not None
    relay = OutboxRelay(service="test", schema=sandbox.schema, pool=pool, producer=producer)
    try:
        with loop_complaints() as complaints:
            with pytest.raises(Exception) as failed:
                await relay.relay_once()
            async with pool.acquire() as conn:  # the relay's connection: the pool has only it
                assert not conn.is_in_transaction()
                assert await conn.fetchval("SELECT 1") == 1
        assert complaints == []
        assert type(failed.value).__name__ == error
        rows = await sandbox.pool.fetch(f"SELECT sent_at, attempts, last_error FROM {sandbox.schema}.outbox")
        assert [tuple(row) for row in rows] == [(None, 1, error)] * 2
        async with sandbox.pool.acquire() as other, other.transaction():
            queued = await other.fetch(f"SELECT id FROM {sandbox.schema}.outbox_unsent FOR UPDATE NOWAIT")
        assert len(queued) == 2
    finally:
        await pool.close()


async def test_a_batch_whose_acknowledgements_fail_is_rolled_back_and_its_connection_returned_clean(
    sandbox: Sandbox,
) -> None:
    await _a_failed_batch_is_rolled_back(sandbox, UnacknowledgingKafka(), "KafkaTimeoutError")


async def test_a_batch_whose_mark_sent_fails_in_its_commit_message_is_rolled_back_and_its_connection_returned_clean(
    sandbox: Sandbox,
) -> None:
    """The mark and the COMMIT go as one message: the failing UPDATE aborts the transaction, the COMMIT after it in
    the message is not run, and the relay rolls back. The events went out and will again (at least once)."""
    async with sandbox.pool.acquire() as conn:
        await conn.execute(
            f"""CREATE FUNCTION {sandbox.schema}.refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused'; END $$"""
        )
        await conn.execute(
            f"""CREATE TRIGGER refuse_mark BEFORE UPDATE ON {sandbox.schema}.outbox
            FOR EACH ROW WHEN (NEW.sent_at IS NOT NULL) EXECUTE FUNCTION {sandbox.schema}.refuse_mark()"""
        )
    await _a_failed_batch_is_rolled_back(sandbox, AcknowledgingKafka(), "RaiseError")


class SilentKafka:
    """A producer whose acknowledgements never come."""

    def __init__(self) -> None:
        self.sent = asyncio.Event()

    async def send(self, *args: object, **kwargs: object) -> "asyncio.Future[None]":
        self.sent.set()
        return asyncio.get_running_loop().create_future()


async def test_a_batch_cancelled_while_it_waits_for_acknowledgements_is_rolled_back_and_its_connection_returned_clean(
    sandbox: Sandbox,
) -> None:
    """As when the worker stops mid-batch: nothing is recorded against the rows, which stay unsent and unlocked."""
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add(conn, goal_paused())
    pool = await asyncpg.create_pool(sandbox.dsn, min_size=1, max_size=1)
    assert pool is not None
    producer = SilentKafka()
    relay = OutboxRelay(service="test", schema=sandbox.schema, pool=pool, producer=producer)  # type: ignore[arg-type]
    try:
        with loop_complaints() as complaints:
            batch = asyncio.create_task(relay.relay_once())
            await asyncio.wait_for(producer.sent.wait(), 10)  # claimed, and waiting for the acknowledgements
            batch.cancel()
            with pytest.raises(asyncio.CancelledError):
                await batch
            async with pool.acquire() as conn:
                assert not conn.is_in_transaction()
        assert complaints == []
        row = await sandbox.pool.fetchrow(f"SELECT sent_at, attempts FROM {sandbox.schema}.outbox")
        assert row is not None and tuple(row) == (None, 0)
        assert not await _claimed(sandbox)
    finally:
        await pool.close()


async def _claimed(sandbox: Sandbox) -> bool:
    """Whether another transaction holds the queued rows' locks (a look that takes them for a moment itself)."""
    async with sandbox.pool.acquire() as conn, conn.transaction():
        free = await conn.fetch(f"SELECT id FROM {sandbox.schema}.outbox_unsent FOR UPDATE SKIP LOCKED")
        total = await conn.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox_unsent")
    return len(free) < total


class BatchCountingRelay(OutboxRelay):
    """The relay, noting how many rows each of its batches published."""

    batches: list[int]

    async def relay_once(self) -> int:
        published = await super().relay_once()
        if published:
            self.batches.append(published)
        return published


@asynccontextmanager
async def running_relay(sandbox: Sandbox, **options: Any) -> AsyncIterator[BatchCountingRelay]:
    """A batch-counting relay running on the sandbox's outbox, once it has found the outbox empty and waits for a
    commit; stopped, with its producer, on leaving."""
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    relay = BatchCountingRelay(service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer, **options)
    relay.batches = []
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.3)
        yield relay
    finally:
        stop.set()
        await running
        await producer.stop()


async def test_commits_close_behind_the_one_that_woke_a_busy_relay_join_its_batch(sandbox: Sandbox) -> None:
    outbox, first, envelopes = Outbox(sandbox.schema), goal_paused(), [goal_paused() for _ in range(5)]
    # Woken by the first commit alone, never by the poll timer.
    async with running_relay(sandbox, gather_seconds=0.5, poll_interval=30) as relay:
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, first)
        await eventually(lambda: relay.batches == [1], interval=0.005)  # it has just published: it is busy
        for envelope in envelopes:  # five transactions, one after another, as five requests would commit
            async with sandbox.pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, envelope)
        records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 5, keep=of(envelopes))
    assert len(records) == 5
    assert relay.batches == [1, 5]  # one claim, one publish, one mark for all five


async def test_a_busy_relay_pauses_only_as_long_as_its_rows_take_to_come_at_the_rate_they_come(
    sandbox: Sandbox,
) -> None:
    """With a pause of at most half a second but batches worth one row, a steady flow of commits every 20 ms is
    published in many small batches once the relay has seen its rate, not one batch each half second."""
    outbox, flow = Outbox(sandbox.schema), [goal_paused() for _ in range(60)]
    async with running_relay(sandbox, gather_seconds=0.5, gather_rows=1, poll_interval=30) as relay:
        for envelope in flow:  # 1.2 s of commits, one every 20 ms
            async with sandbox.pool.acquire() as conn, conn.transaction():
                await outbox.add(conn, envelope)
            await asyncio.sleep(0.02)
        records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 60, keep=of(flow))
    assert len(records) == 60
    # Half-second pauses throughout would allow at most four batches in 1.2 s; the first pause is the longest, as
    # the rate after a quiet spell is not known yet.
    assert len(relay.batches) >= 8


async def test_a_commit_after_a_quiet_spell_is_published_without_waiting_for_others_to_join_it(
    sandbox: Sandbox,
) -> None:
    lone = goal_paused()
    # Were it gathering, nothing would be published while the test waits.
    async with running_relay(sandbox, gather_seconds=120, poll_interval=120) as relay:
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await Outbox(sandbox.schema).add(conn, lone)
        records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 1, keep=of([lone]))
    assert event_ids(records) == [lone.event_id]
    assert relay.batches == [1]


async def test_many_events_are_one_insert_whose_ids_follow_the_events_order(sandbox: Sandbox) -> None:
    # A statement trigger of the test's own, beside the outbox's NOTIFY: how many statements wrote the rows.
    await sandbox.pool.execute(f"CREATE TABLE {sandbox.schema}.insert_statements (n int)")
    await sandbox.pool.execute(
        f"CREATE FUNCTION {sandbox.schema}.count_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {sandbox.schema}.insert_statements VALUES (1); RETURN NULL; END $$"
    )
    await sandbox.pool.execute(
        f"CREATE TRIGGER count_insert AFTER INSERT ON {sandbox.schema}.outbox "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {sandbox.schema}.count_insert()"
    )
    envelopes = [goal_paused() for _ in range(30)]
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add_many(conn, envelopes)
    assert await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.insert_statements") == 1
    stored = await sandbox.pool.fetch(f"SELECT event_id, headers FROM {sandbox.schema}.outbox ORDER BY id")
    assert [r["event_id"] for r in stored] == [e.event_id for e in envelopes]
    assert json.loads(stored[0]["headers"])["event_type"] == "GoalPaused"


async def test_a_batch_is_claimed_and_marked_sent_in_three_round_trips_with_its_mark_in_the_commit(
    sandbox: Sandbox,
) -> None:
    envelopes = [goal_paused() for _ in range(3)]
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await Outbox(sandbox.schema).add_many(conn, envelopes)
    relay, producer = await relay_for(sandbox)
    sent: list[str] = []
    held = [await sandbox.pool.acquire() for _ in range(sandbox.pool.get_max_size())]
    for conn in held:  # every connection the relay may be lent: one logged query is one round trip
        conn.add_query_logger(lambda query: sent.append(" ".join(query.query.split())))
    for conn in held:
        await sandbox.pool.release(conn)
    try:
        assert await relay.relay_once() == 3
    finally:
        await producer.stop()  # type: ignore[attr-defined]
    # Less the sandbox pool's reset on release (asyncpg's default; the services' pools reset nothing: db.py).
    sent = [query for query in sent if not query.startswith("SELECT pg_advisory_unlock_all()")]
    assert len(sent) == 3, sent
    assert sent[0] == "BEGIN" and "FOR UPDATE SKIP LOCKED" in sent[1]
    mark = sent[2].split("; ")
    assert mark[0] == "SET LOCAL synchronous_commit = off" and mark[-1] == "COMMIT"
    assert mark[1].startswith(f"DELETE FROM {sandbox.schema}.outbox_unsent") and mark[2].startswith("UPDATE")
    rows = await sandbox.pool.fetch(f"SELECT sent_at, attempts FROM {sandbox.schema}.outbox")
    assert len(rows) == 3 and all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows)
    assert await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox_unsent") == 0
    records = await read_topic(sandbox.bootstrap, TOPIC, lambda f: len(f) >= 3, keep=of(envelopes))
    assert sorted(map(str, event_ids(records))) == sorted(str(e.event_id) for e in envelopes)


async def test_the_unsent_rows_are_those_committed_and_not_yet_sent_and_the_sent_ones_are_kept_in_the_outbox(
    sandbox: Sandbox,
) -> None:
    outbox, kept, rolled_back = Outbox(sandbox.schema), [goal_paused() for _ in range(3)], goal_paused()
    with pytest.raises(RuntimeError):
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, rolled_back)
            raise RuntimeError("the domain change failed")
    async with sandbox.pool.acquire() as conn, conn.transaction():
        await outbox.add_many(conn, kept[:2])
        await outbox.add(conn, kept[2])
    unsent = f"SELECT o.event_id FROM {sandbox.schema}.outbox_unsent u JOIN {sandbox.schema}.outbox o USING (id)"
    assert {r["event_id"] for r in await sandbox.pool.fetch(unsent)} == {e.event_id for e in kept}
    relay, producer = await relay_for(sandbox)
    try:
        assert await relay.relay_once() == 3
        assert await relay.relay_once() == 0
    finally:
        await producer.stop()  # type: ignore[attr-defined]
    assert await sandbox.pool.fetch(unsent) == []
    assert await sandbox.pool.fetchval(f"SELECT count(*) FROM {sandbox.schema}.outbox WHERE sent_at IS NOT NULL") == 3
