"""A running worker survives its broker killed (`kill -9`) or its database crashed (`pg_ctl -m immediate`) under
load, and carries on once it is back: the same process, not ready while the dependency is away and ready again
after, and every event written before, during and after relayed and consumed. Relayed exactly once across a broker
kill; across a database crash, the one batch the relay had published but not yet marked sent goes out again (the
outbox is at least once) and the consumer's inbox takes it once.

The progress worker does both jobs here: the test writes goal events into the progress service's own outbox, its
relay publishes them to the goals topic, and its consumer (which follows that topic) records each in its inbox. On a
broker and a PostgreSQL cluster of the test's own, so the session's are left alone. Several instances of each worker
in one group, killed while events flow: tests/test_the_fault_campaign.py."""

import asyncio
import contextlib
import os
import secrets
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import psutil
import pytest

from accord.devtools.infra import kafka, postgres
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import Started, stop
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.infra.stack import CACHE
from accord.devtools.testing import event_ids, goal_paused, read_topic
from accord.shared import migrations
from accord.shared.kafka import ensure_topics
from accord.shared.outbox import Outbox

pytestmark = pytest.mark.integration

TOPIC = "accord.goals.v1"


@dataclass
class Stack:
    home: Path
    database: postgres.PostgresProcess
    url: str
    broker: kafka.KafkaProcess
    metrics: str = ""
    worker: subprocess.Popen[bytes] | None = None


@pytest.fixture
async def stack(service_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Stack]:
    database = await asyncio.to_thread(postgres.start, tmp_path / "postgres", secrets.token_urlsafe(24))
    broker: kafka.KafkaProcess | None = None
    proc: subprocess.Popen[bytes] | None = None
    try:
        url = (await provision(database.admin_url, new_passwords()))["progress"]
        await asyncio.to_thread(migrations.upgrade, "progress", url)
        broker = await asyncio.to_thread(kafka.start, tmp_path / "kafka", CACHE)

        await ensure_topics(broker.bootstrap_servers)
        metrics = free_port()
        env = {
            **os.environ,
            **service_env,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "ACCORD_PROGRESS_DATABASE_URL": url,
        }
        proc = await asyncio.to_thread(_start_worker, env, metrics, tmp_path / "worker.log")
        running = Stack(tmp_path, database, url, broker, f"http://127.0.0.1:{metrics}", proc)
        yield running
        broker = running.broker  # the test may have restarted it
    finally:
        if proc is not None:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 30)
        if broker is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                await asyncio.to_thread(stop, Started.of(broker.pid))
        await asyncio.to_thread(postgres.stop, database.data)


def _start_worker(env: dict[str, str], metrics: int, log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            ["accord-progress", "worker", "--metrics-port", str(metrics)], env=env, stdout=log, stderr=subprocess.STDOUT
        )


async def _ready_status(url: str) -> int | None:
    async with httpx.AsyncClient() as client:
        try:
            return (await client.get(f"{url}/ready", timeout=2)).status_code
        except httpx.TransportError:
            return None


async def _until_ready_is(stack: Stack, status: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert stack.worker is not None and stack.worker.poll() is None, "the worker exited"
        last = await _ready_status(stack.metrics)
        if last == status:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"/ready never answered {status}; last: {last}; see {stack.home / 'worker.log'}")


@dataclass
class Writer:
    """Writes one event at a time into the outbox, each in its own transaction, until stopped. `written` are the
    events whose commit was acknowledged; `unsure` those whose commit may or may not have happened (the connection
    broke during it)."""

    url: str
    written: list[UUID] = field(default_factory=list)
    unsure: list[UUID] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            event = goal_paused()
            try:
                conn = await asyncpg.connect(self.url, timeout=2)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                await asyncio.sleep(0.2)  # the database is away: nothing was written
                continue
            try:
                async with conn.transaction():
                    await Outbox("progress").add(conn, event)
                self.written.append(event.event_id)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self.unsure.append(event.event_id)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)
            await asyncio.sleep(0.05)


async def _under_load(stack: Stack, outage: Callable[[], object]) -> Writer:
    """Writes events before, during and after `outage` (a blocking call that takes a dependency away and brings it
    back, waiting for the worker to notice both), then stops writing."""
    writer = Writer(stack.url)
    stop_writing = asyncio.Event()
    task = asyncio.create_task(writer.run(stop_writing))
    try:
        await _until_ready_is(stack, 200)
        while len(writer.written) < 20:
            await asyncio.sleep(0.1)
        result = outage()
        if asyncio.iscoroutine(result):
            await result
        before = len(writer.written)
        while len(writer.written) < before + 20:
            await asyncio.sleep(0.1)
    finally:
        stop_writing.set()
        await task
    return writer


async def _consumed(url: str) -> Counter[UUID]:
    conn = await asyncpg.connect(url)
    try:
        return Counter(r["event_id"] for r in await conn.fetch("SELECT event_id FROM progress.inbox"))
    finally:
        await conn.close()


async def _assert_each_relayed_and_consumed(stack: Stack, writer: Writer, restarting_at: float | None = None) -> None:
    """Every event written is consumed, and relayed once. With `restarting_at` (the database, crashed, was being
    started again from then) the batch the relay had claimed but not yet marked sent when it crashed is published
    again (the outbox is at least once: it marks a row sent only after Kafka's ack, so an ack can come before a mark
    that never commits), and so are the batches marked sent just before the crash (the relay's commit does not wait
    for its WAL flush); only those may be on the topic twice, and the consumer's inbox takes each of them once.
    Their first publication can fall a little after the crash began (claimed just before, sent just after), but
    never after the restart began: nothing can be claimed from a database that is down."""
    written = set(writer.written)
    deadline = time.monotonic() + 60
    while not written <= set(await _consumed(stack.url)):
        assert time.monotonic() < deadline, f"not consumed: {len(written - set(await _consumed(stack.url)))}"
        await asyncio.sleep(0.3)
    records = await read_topic(
        stack.broker.bootstrap_servers, TOPIC, lambda found: written <= set(event_ids(found)), timeout=60
    )
    on_topic = Counter(event_ids(records))
    doubled = {event for event, n in on_topic.items() if n > 1}
    if restarting_at is None:
        assert doubled == set()
    else:
        first_published = {}
        for record in records:
            first_published.setdefault(event_ids([record])[0], record.timestamp / 1000)
        assert {event for event in doubled if first_published[event] >= restarting_at} == set()
        assert max(on_topic.values()) <= 2
    assert set(on_topic) - written <= set(writer.unsure)  # nothing relayed that was not written
    assert stack.worker is not None and stack.worker.poll() is None


async def test_a_running_worker_survives_its_broker_killed_and_restarted_and_loses_or_doubles_nothing(
    stack: Stack,
) -> None:
    pid = stack.worker.pid if stack.worker else None

    async def kill_and_restart() -> None:
        broker = psutil.Process(stack.broker.pid)
        broker.kill()  # kill -9: no clean shutdown, no goodbye to the clients
        await asyncio.to_thread(broker.wait, 30)
        await _until_ready_is(stack, 503)
        stack.broker = await asyncio.to_thread(kafka.start_again, stack.home / "kafka", CACHE)
        await _until_ready_is(stack, 200)

    writer = await _under_load(stack, kill_and_restart)
    await _assert_each_relayed_and_consumed(stack, writer)
    assert writer.unsure == []  # the database stayed up: every commit was acknowledged
    assert stack.worker is not None and stack.worker.pid == pid


async def test_a_running_worker_survives_its_database_crashed_and_restarted_and_loses_nothing(
    stack: Stack,
) -> None:
    pid = stack.worker.pid if stack.worker else None
    restarting_at = 0.0

    async def crash_and_restart() -> None:
        nonlocal restarting_at
        await asyncio.to_thread(postgres.stop, stack.database.data, "immediate")
        await _until_ready_is(stack, 503)
        restarting_at = time.time()
        await asyncio.to_thread(postgres.start_again, stack.database.data)
        await _until_ready_is(stack, 200)

    writer = await _under_load(stack, crash_and_restart)
    await _assert_each_relayed_and_consumed(stack, writer, restarting_at)
    assert stack.worker is not None and stack.worker.pid == pid
