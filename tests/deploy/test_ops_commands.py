"""The operator's other commands against the real Kafka and PostgreSQL: topics, consumer lag, migrations, and the
worker with its metrics served (what compose and Kubernetes run)."""

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition

from accord.devtools.infra.ports import free_port
from accord.devtools.infra.stack import Infra
from accord.devtools.testing import create_topic, eventually
from accord.ops.kafka_util import consumer
from accord.ops.lag import group_lag
from accord.ops.topics import verify_topics
from accord.shared.events.registry import TopicSpec
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration


async def test_topics_verify_agrees_with_the_registry_and_reports_drift(infra: Infra, ops: Any) -> None:
    assert await verify_topics(infra.bootstrap_servers) == []  # created from the registry by the test stack
    ran = await ops("topics", "verify", env={"KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap_servers})
    assert ran.code == 0 and "every topic matches the registry" in ran.out, ran.out

    existing = f"test.verify.{uuid.uuid4().hex[:8]}"
    await create_topic(infra.bootstrap_servers, existing, partitions=2)
    specs = [TopicSpec(existing, "test", 3, 1000), TopicSpec(f"{existing}.absent", "test", 1, 1000)]
    drifts = {(d.topic, d.setting, d.expected, d.actual) for d in await verify_topics(infra.bootstrap_servers, specs)}
    assert (existing, "partitions", "3", "2") in drifts
    assert (existing, "retention.ms", "1000", "604800000") in drifts  # the broker's default, not the registry's
    assert (f"{existing}.absent", "exists", "yes", "no") in drifts


async def test_lag_counts_what_a_group_has_not_committed_per_partition(infra: Infra) -> None:
    bootstrap, topic, group = infra.bootstrap_servers, f"test.lag.{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await create_topic(bootstrap, topic, partitions=2)
    producer = new_producer(bootstrap, "test")
    await producer.start()
    try:
        for partition, count in ((0, 3), (1, 2)):
            for _ in range(count):
                await producer.send_and_wait(topic, b"{}", partition=partition)
    finally:
        await producer.stop()
    async with consumer(bootstrap, group) as client:
        client.assign([TopicPartition(topic, 0)])
        await client.commit({TopicPartition(topic, 0): 1})

    rows = {row.partition: row for row in await group_lag(bootstrap, group, [topic])}
    assert (rows[0].committed, rows[0].lag) == (1, 2)
    assert (rows[1].committed, rows[1].lag) == (None, 2)  # never committed: it will read from the start


async def test_migrate_runs_each_service_as_its_own_role(service_env: dict[str, str], ops: Any) -> None:
    ran = await ops("migrate", "--service", "goals", "--service", "progress", env=service_env)
    assert ran.code == 0 and "migrated to head: goals, progress" in ran.out, ran.out


async def test_the_worker_serves_the_metrics_it_records(service_env: dict[str, str]) -> None:
    port = free_port()
    worker = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "accord-goals"), "worker", "--metrics-port", str(port),
        env={**os.environ, **service_env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:

            async def relay_reported() -> bool:
                try:
                    metrics = (await client.get("/metrics")).text
                except httpx.TransportError:
                    return False  # not listening yet
                return 'accord_outbox_backlog{service="goals"}' in metrics  # recorded by the worker's relay

            async def ready() -> bool:  # its database and Kafka answer
                answer = await client.get("/ready")
                return answer.status_code == 200 and answer.json() == {"status": "ready"}

            await eventually(relay_reported, timeout=60)
            assert (await client.get("/health")).status_code == 200
            await eventually(ready, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), timeout=30) == 0  # stops cleanly on SIGTERM
