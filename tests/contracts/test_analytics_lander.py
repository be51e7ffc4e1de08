"""The reference lander against the real Kafka: every message lands in Parquet exactly once, whether it is
stopped half way and restarted or killed between writing a file and committing its offset."""

import asyncio
import os
import re
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pyarrow.dataset as ds
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import create_topic
from accord.ops.lander import KafkaAccess, land
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration

MESSAGES = 40  # the last one is not an Envelope: it lands too, in the `undecodable` column
DOCS = Path(__file__).resolve().parents[2] / "docs" / "analytics.md"


async def _fresh_topic(bootstrap: str) -> tuple[str, list[Envelope]]:
    """A topic of two partitions holding envelopes of a few clients over four days, then one bad message."""
    topic, start = f"test.analytics.{uuid4().hex[:8]}", datetime(2025, 3, 14, 21, tzinfo=UTC)
    await create_topic(bootstrap, topic, partitions=2)
    clients = [uuid4() for _ in range(5)]
    envelopes = [
        Envelope.wrap(
            GoalPaused(client_id=clients[i % 5], goal_id=uuid4(), paused_by=uuid4()),
            producer="reporting",
            tenant_id="tenant-a",
            occurred_at=start + timedelta(hours=2 * i),
        )
        for i in range(MESSAGES - 1)
    ]
    producer = new_producer(bootstrap, "lander-test")
    await producer.start()
    try:
        for e in envelopes:
            await producer.send_and_wait(topic, e.to_bytes(), key=e.partition_key.encode())
        await producer.send_and_wait(topic, b"not an envelope", key=b"broken")
    finally:
        await producer.stop()
    return topic, envelopes


def _landed(out: Path) -> Any:
    return ds.dataset(out, format="parquet", partitioning="hive").to_table()


def _assert_exactly_once(out: Path, envelopes: list[Envelope]) -> None:
    table = _landed(out)
    ids = [i for i in table.column("event_id").to_pylist() if i is not None]
    assert sorted(ids) == sorted(str(e.event_id) for e in envelopes)
    assert table.column("undecodable").drop_null().to_pylist() == ["not an envelope"]
    offsets = sorted(zip(table.column("partition").to_pylist(), table.column("offset").to_pylist(), strict=True))
    assert len(offsets) == len(set(offsets)) == MESSAGES


async def _committed(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sum(max(meta.offset, 0) for meta in (await admin.list_consumer_group_offsets(group)).values())
    finally:
        await admin.close()


async def test_stopped_half_way_and_restarted_it_lands_every_message_once(infra: Infra, tmp_path: Path) -> None:
    topic, envelopes = await _fresh_topic(infra.bootstrap_servers)
    access, group, out = KafkaAccess(infra.bootstrap_servers), f"analytics-test-{uuid4().hex[:6]}", tmp_path / "out"

    first = await land(access, out, topic, group, max_messages=MESSAGES // 2)
    assert first.messages == _landed(out).num_rows == MESSAGES // 2
    assert await _committed(infra.bootstrap_servers, group) == MESSAGES // 2

    second = await land(access, out, topic, group)  # stops once caught up
    assert second.messages == MESSAGES - MESSAGES // 2
    _assert_exactly_once(out, envelopes)
    assert await _committed(infra.bootstrap_servers, group) == MESSAGES
    assert {p.parent.name for p in out.glob("*/*.parquet")} == {f"date=2025-03-{d}" for d in (14, 15, 16, 17, 18)} | {
        f"date={datetime.now(UTC).date().isoformat()}"  # the bad message has no occurred_at: its record's time
    }
    for path in out.glob("*/*.parquet"):
        partition, first_offset, last_offset = map(int, re.findall(r"\d+", path.name))
        rows = ds.dataset(path).to_table()
        assert rows.column("offset").to_pylist() == list(range(first_offset, last_offset + 1))
        assert set(rows.column("partition").to_pylist()) == {partition}
    assert (await land(access, out, topic, group)).messages == 0


async def _accord_ops(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "accord.ops", *args,
        env={**os.environ, "COLUMNS": "200", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_killed_after_writing_a_file_before_committing_it_lands_every_message_once(
    infra: Infra, tmp_path: Path
) -> None:
    topic, envelopes = await _fresh_topic(infra.bootstrap_servers)
    group, out = f"analytics-test-{uuid4().hex[:6]}", tmp_path / "out"
    command = ("analytics", "land", "--out", str(out), "--topic", topic, "--group", group)
    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap_servers}

    doomed = await _accord_ops(*command, env={**env, "ACCORD_FAULT_POINT": "lander.file-written"})
    assert doomed.stderr is not None
    while b"FAULT-POINT-REACHED" not in await asyncio.wait_for(doomed.stderr.readline(), 60):
        pass
    doomed.send_signal(signal.SIGKILL)
    await doomed.wait()
    [written] = list(out.glob("*/*.parquet"))
    assert await _committed(infra.bootstrap_servers, group) == 0  # the file is there, its offsets uncommitted

    resumed = await _accord_ops(*command, env=env)
    stdout, stderr = await asyncio.wait_for(resumed.communicate(), 60)
    assert resumed.returncode == 0, stderr.decode()
    rows_in_first_file = ds.dataset(written).to_table().num_rows
    assert f"landed {MESSAGES - rows_in_first_file} message(s)" in stdout.decode()
    _assert_exactly_once(out, envelopes)
    assert await _committed(infra.bootstrap_servers, group) == MESSAGES


async def test_the_query_example_of_the_analytics_guide_runs_on_landed_files(infra: Infra, tmp_path: Path) -> None:
    topic, _ = await _fresh_topic(infra.bootstrap_servers)
    await land(KafkaAccess(infra.bootstrap_servers), tmp_path, topic, f"analytics-test-{uuid4().hex[:6]}")
    example = DOCS.read_text().rsplit("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(example.replace('"landed/analytics"', repr(str(tmp_path))), scope)  # noqa: S102 (the guide's own code)
    assert sum(row["count_all"] for row in scope["per_day"].to_pylist()) == MESSAGES
    assert len(scope["payloads"]) == MESSAGES - 1


def test_the_analytics_principal_connects_with_scram_over_tls() -> None:
    options = KafkaAccess("kafka:9093", "SASL_SSL", "SCRAM-SHA-512", "analytics", "secret").options()
    assert options["security_protocol"] == "SASL_SSL" and options["ssl_context"] is not None
    assert (options["sasl_mechanism"], options["sasl_plain_username"]) == ("SCRAM-SHA-512", "analytics")
    assert KafkaAccess("kafka:9092").options() == {"bootstrap_servers": "kafka:9092"}
