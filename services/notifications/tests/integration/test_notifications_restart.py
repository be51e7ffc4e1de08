"""kill -9 the real worker process between its database commit and its Kafka offset commit: the milestone is
delivered to it again after the restart, and the client still gets one e-mail and one inbox item."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from accord.devtools.testing import eventually
from accord.notifications.bootstrap import subscriptions
from accord.notifications.handlers import CONSUMED_TOPICS
from accord.notifications.settings import Settings
from accord.shared.events import TOPICS
from accord.shared.runtime import run_worker

pytestmark = pytest.mark.integration

GROUP = "notifications"
FAULT = "consumer.after_db_commit"


class Offsets:
    """The service's consumer group's committed offsets against the ends of the topics it consumes."""

    def __init__(self, bootstrap: str) -> None:
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.partitions = [TopicPartition(t, p) for t in CONSUMED_TOPICS for p in range(TOPICS[t].partitions)]

    async def committed(self) -> dict[TopicPartition, int]:
        offsets = await self.admin.list_consumer_group_offsets(GROUP)
        return {tp: meta.offset for tp, meta in offsets.items()}

    async def caught_up(self) -> bool:
        ends, committed = await self.consumer.end_offsets(self.partitions), await self.committed()
        return all(end == 0 or committed.get(tp) == end for tp, end in ends.items())

    async def past(self, topic: str, partition: int, offset: int) -> bool:
        return (await self.committed()).get(TopicPartition(topic, partition), -1) > offset


@pytest.fixture
async def offsets(service_env: dict[str, str]) -> AsyncIterator[Offsets]:
    found = Offsets(service_env["KAFKA_BOOTSTRAP_SERVERS"])
    await found.admin.start()
    await found.consumer.start()
    yield found
    await found.consumer.stop()
    await found.admin.close()


class Worker:
    """`accord-notifications worker` in a process of its own, its stderr in a file the test can wait on."""

    def __init__(self, log: Path, **env: str) -> None:
        self.log = log
        command = [sys.executable, "-m", "accord.notifications.entrypoints.cli", "worker"]
        with log.open("w") as stderr:
            self.proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=stderr)

    async def printed(self, marker: str) -> None:
        def seen() -> bool:
            assert self.proc.poll() is None, f"worker ended early: {self.log.read_text()[-2000:]}"
            return marker in self.log.read_text()

        await eventually(seen, timeout=60)

    def kill_9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Any]:
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(started)}.log", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.proc.poll() is None:
            worker.kill_9()


async def test_worker_killed_after_its_database_commit_before_its_offset_commit_sends_one_email_and_one_item(
    story: Any,
    person: Any,
    publish: Any,
    handled: Any,
    mailbox: Any,
    settings: Settings,
    offsets: Offsets,
    workers: Any,
    db: asyncpg.Pool,
) -> None:
    # The care team is known, and the consumer group has committed everything: the next batch the worker
    # handles is the milestone alone.
    goal = uuid4()
    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    stop = asyncio.Event()
    in_process = asyncio.create_task(run_worker(settings, subscriptions(), stop))
    await handled(*setup)
    await eventually(offsets.caught_up, timeout=60)
    stop.set()
    await in_process
    client = person(story.client, story.tenant)
    email = await client.add_email()

    milestone = story.milestone(goal)
    [sent] = await publish(milestone)
    first = workers(ACCORD_FAULT_POINT=FAULT, ACCORD_NOTIFICATIONS_DISPATCH_ENABLED="false")
    await first.printed(f"FAULT-POINT-REACHED {FAULT}")
    first.kill_9()
    assert await db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", milestone.event_id) == 1
    assert not await offsets.past(sent.topic, sent.partition, sent.offset)  # Kafka will deliver it again

    second = workers(ACCORD_NOTIFICATIONS_SMTP_PORT=str(mailbox.port))
    await eventually(lambda: offsets.past(sent.topic, sent.partition, sent.offset), timeout=60)
    await eventually(lambda: mailbox.to(email), timeout=30)
    assert second.stop() == 0

    assert len(mailbox.to(email)) == 1
    rows = await db.fetch("SELECT channel, status FROM deliveries WHERE source_event_id = $1", milestone.event_id)
    assert sorted((r["channel"], r["status"]) for r in rows) == [
        ("email", "sent"),
        ("in_app", "sent"),  # the client's; the therapist has theirs too
        ("in_app", "sent"),
    ]
    assert [i["kind"] for i in await client.inbox()].count("milestone_celebration") == 1
