"""A worker started while Kafka is unreachable waits for it (not ready meanwhile) instead of exiting, and once the
broker is up it becomes ready, relays what waited in its outbox and consumes it. The progress worker does both: the
goal event waiting in its own outbox is published to the goals topic, which its consumer follows."""

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from accord.devtools.infra import kafka
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import Started, stop
from accord.devtools.infra.stack import CACHE
from accord.devtools.testing import eventually, goal_paused, of, read_topic
from accord.shared.kafka import ensure_topics
from accord.shared.outbox import Outbox

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_port() -> int:
    """A port nothing listens on yet: the broker the worker is told about is down."""
    return free_port()


@dataclass
class Worker:
    process: "subprocess.Popen[bytes]"
    url: str
    """Its metrics server: /ready."""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def worker(service_env: dict[str, str], broker_port: int, tmp_path: Path) -> Iterator[Worker]:
    """The progress worker, started against the down broker. Never left running: it shares the session's database,
    and its relay would go on claiming the progress outbox's rows for a broker that is gone, under later tests."""
    metrics = free_port()
    env = {**os.environ, **service_env, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}"}
    with open(tmp_path / "worker.log", "wb") as log:
        proc = subprocess.Popen(
            ["accord-progress", "worker", "--metrics-port", str(metrics)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    running = Worker(proc, f"http://127.0.0.1:{metrics}")
    yield running
    running.stop()


async def _ready(url: str) -> httpx.Response | None:
    async with httpx.AsyncClient() as client:
        try:
            return await client.get(f"{url}/ready", timeout=2)
        except httpx.TransportError:
            return None


async def _until(url: str, status: int, timeout: float = 90) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = await _ready(url)
        if answer is not None and answer.status_code == status:
            return answer
        await asyncio.sleep(0.3)
    raise AssertionError(f"/ready never answered {status}; last: {answer.text if answer else 'no answer'}")


async def _consumed(admin_db: asyncpg.Pool, event_id: object) -> bool:
    return bool(await admin_db.fetchval("SELECT count(*) FROM progress.inbox WHERE event_id = $1", event_id))


async def test_a_worker_started_with_the_broker_down_becomes_ready_once_it_starts_and_relays_and_consumes_its_backlog(
    worker: Worker, broker_port: int, admin_db: asyncpg.Pool, tmp_path: Path
) -> None:
    waiting = await _until(worker.url, 503)
    while "kafka" not in waiting.json()["failing"]:  # the database answers first; then it waits for the broker
        waiting = await _until(worker.url, 503)
    assert waiting.headers["content-type"] == "application/problem+json"
    assert waiting.json()["failing"]["kafka"] == "KafkaConnectionError"

    event = goal_paused()
    async with admin_db.acquire() as conn, conn.transaction():
        await Outbox("progress").add(conn, event)

    broker = await asyncio.to_thread(kafka.start, tmp_path / "kafka", CACHE, port=broker_port)
    try:
        bootstrap = broker.bootstrap_servers
        await ensure_topics(bootstrap)
        await _until(worker.url, 200)
        records = await read_topic(bootstrap, "accord.goals.v1", lambda found: len(found) >= 1, keep=of([event]))
        assert [r.key for r in records] == [event.partition_key.encode()]
        await eventually(lambda: _consumed(admin_db, event.event_id), timeout=60)
    finally:
        # The worker first, while its broker still answers: stopped with the broker gone, its consumers and producer
        # each wait out their timeouts, longer than the wait above.
        await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(stop, Started.of(broker.pid))
