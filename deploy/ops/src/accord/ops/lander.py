"""The reference consumer for analytics teams: a topic, through a consumer group, into Parquet files.

Exactly once into Parquet: each file is made durable before the group's offset is committed past it, and where
to resume comes from the files themselves (see parquet_landing). A crash after a file is written but before
its offset is committed therefore re-reads those records on restart, finds them in a file, and skips them.
Run one lander per output directory: two landers of the same group writing into one directory could both
write a partition during a rebalance.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.helpers import create_ssl_context

from accord.ops import parquet_landing as landing
from accord.shared.faults import fault_point

ANALYTICS_TOPIC = "accord.analytics.v1"
DEFAULT_GROUP = "analytics-reference-lander"
MAX_RECORDS = 5000  # per poll: also the most rows one file can hold


@dataclass(frozen=True)
class KafkaAccess:
    """How to reach the cluster: plaintext inside it, or SASL/SCRAM over TLS as the analytics principal."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None

    def options(self) -> dict[str, Any]:
        found: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if self.security_protocol != "PLAINTEXT":
            found["security_protocol"] = self.security_protocol
        if self.security_protocol.endswith("SSL"):
            found["ssl_context"] = create_ssl_context(cafile=str(self.ca_file) if self.ca_file else None)
        if self.sasl_mechanism:
            found |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return found


@dataclass
class Landed:
    messages: int = 0
    files: list[Path] = field(default_factory=list)


Progress = Callable[[int, int], None]
"""`progress(landed, total)`: messages landed so far, and that plus what the partitions still hold."""


class _ResumeFromFiles(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    """On assignment, moves each partition past what its files already hold, whatever the group committed."""

    def __init__(self, consumer: AIOKafkaConsumer, out: Path) -> None:
        self.consumer, self.out = consumer, out
        self.through: dict[int, int] = {}
        self.to_commit: dict[TopicPartition, int] = {}

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp in assigned:
            through = landing.landed_through(self.out, tp.partition)
            if through is None:
                continue
            self.through[tp.partition] = through
            committed = await self.consumer.committed(tp)
            if committed is None or committed <= through:  # written, then stopped before committing
                self.consumer.seek(tp, through + 1)
                self.to_commit[tp] = through + 1  # committed from the loop, outside the rebalance


async def land(
    access: KafkaAccess,
    out: Path,
    topic: str = ANALYTICS_TOPIC,
    group: str = DEFAULT_GROUP,
    max_messages: int | None = None,
    follow: bool = False,
    progress: Progress = lambda landed, total: None,
) -> Landed:
    """Lands `topic` under `out` until `max_messages` are landed or, unless `follow`, it has caught up."""
    landing.prepare(out, topic)
    consumer = AIOKafkaConsumer(
        **access.options(),
        group_id=group,
        client_id="accord-analytics-lander",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            raise LookupError(f"topic {topic} does not exist")
        resume = _ResumeFromFiles(consumer, out)
        consumer.subscribe([topic], listener=resume)
        return await _run(consumer, resume, out, max_messages, follow, progress)
    finally:
        await consumer.stop()


async def _run(
    consumer: AIOKafkaConsumer,
    resume: _ResumeFromFiles,
    out: Path,
    max_messages: int | None,
    follow: bool,
    progress: Progress,
) -> Landed:
    landed = Landed()
    while max_messages is None or landed.messages < max_messages:
        wanted = MAX_RECORDS if max_messages is None else min(MAX_RECORDS, max_messages - landed.messages)
        batches = await consumer.getmany(timeout_ms=500, max_records=wanted)
        if resume.to_commit:
            await consumer.commit(resume.to_commit)
            resume.to_commit = {}
        for tp, records in sorted(batches.items()):
            fresh = [r for r in records if r.offset > resume.through.get(tp.partition, -1)]
            if max_messages is not None:
                fresh = fresh[: max_messages - landed.messages]
            if fresh:
                await _land_partition(consumer, tp, fresh, out, landed)
                resume.through[tp.partition] = fresh[-1].offset
        behind = await _behind(consumer)
        progress(landed.messages, landed.messages + (behind or 0))
        if behind == 0 and not follow:
            break
    return landed


async def _land_partition(
    consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[Any], out: Path, landed: Landed
) -> None:
    rows = [landing.row(r) for r in records]
    for day, run in landing.runs_by_day(rows):
        landed.files.append(landing.write_run(out, day, run))
        await fault_point("lander.file-written")  # the worst moment: durable, offset not yet committed
        await consumer.commit({tp: run[-1]["offset"] + 1})
        landed.messages += len(run)


async def _behind(consumer: AIOKafkaConsumer) -> int | None:
    """Messages the assigned partitions still hold beyond our position; None before any assignment."""
    assigned = list(consumer.assignment())
    if not assigned:
        return None
    ends = await consumer.end_offsets(assigned)
    behind = 0
    for tp in assigned:
        behind += max(0, int(ends[tp]) - int(await consumer.position(tp)))
    return behind
