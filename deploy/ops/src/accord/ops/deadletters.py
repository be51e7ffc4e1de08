"""Dead letters: list what a service could not handle, and replay it to its original topic after a fix.

A replay re-publishes each dead letter's original key, value and headers (without the dlq.* ones) to the topic it
came from, so it lands on the same partition as before, marked `dlq.replay_of` (which dead letter it replays). The
consuming service's inbox dedupes by event_id, and a dead-lettered event left no inbox row, so a replayed event is
processed once; a consumer group sends a copy of an event it has already dead-lettered nowhere unless the copy is a
replay it has not seen, so a replay that fails again is dead-lettered again, once.

Progress is the committed offset of the consumer group `accord-ops-replay-<service>` on the dead-letter topic:
a re-run replays only what was dead-lettered since, and an interrupted run resumes where it stopped (at worst
re-sending one batch, which the inbox absorbs).
"""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from accord.ops.kafka_util import consumer, operator_security, partitions
from accord.shared.inbox.consumer import REPLAY_OF_HEADER
from accord.shared.kafka import new_producer

DLQ_HEADER_PREFIX = "dlq."


def replay_group(service: str) -> str:
    return f"accord-ops-replay-{service}"


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    replayed: bool = False

    @classmethod
    def of(cls, record: "ConsumerRecord[bytes, bytes]", replayed: bool = False) -> "DeadLetter":
        headers = tuple((k, bytes(v)) for k, v in record.headers or ())
        return cls(record.partition, record.offset, record.key, record.value, headers, replayed)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def original_topic(self) -> str | None:
        return self.header("dlq.original_topic")

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        """What the producer sent: trace context, event id and type; never the dead-letter bookkeeping."""
        return [(k, v) for k, v in self.headers if not k.startswith(DLQ_HEADER_PREFIX)]

    @property
    def event_type(self) -> str | None:
        if found := self.header("event_type"):
            return found
        try:  # older producers set no header; the envelope says it too (an undecodable value says nothing)
            return str(json.loads(self.value or b"")["event_type"])
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class ReplayResult:
    replayed: int = 0
    skipped: list[DeadLetter] = field(default_factory=list)  # no original topic to return to
    by_topic: Counter[str] = field(default_factory=Counter)


async def _pending(
    client: AIOKafkaConsumer, tps: list[TopicPartition], *, from_committed: bool
) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
    """Where to start and where to stop. The end is taken once, so a run is bounded even while a broken
    consumer keeps dead-lettering the events it is being sent."""
    beginning, end = await client.beginning_offsets(tps), await client.end_offsets(tps)
    start = {}
    for tp in tps:
        committed = await client.committed(tp) if from_committed else None
        start[tp] = max(committed or 0, beginning[tp])  # retention may have deleted older dead letters
    return start, end


async def _read(
    client: AIOKafkaConsumer, start: dict[TopicPartition, int], end: dict[TopicPartition, int]
) -> AsyncIterator[tuple[TopicPartition, list["ConsumerRecord[bytes, bytes]"]]]:
    for tp, offset in start.items():
        client.seek(tp, offset)
    remaining = {tp for tp in start if start[tp] < end[tp]}
    while remaining:
        batch = await client.getmany(*remaining, timeout_ms=1000, max_records=500)
        for tp, records in batch.items():
            if kept := [r for r in records if r.offset < end[tp]]:
                yield tp, kept
        for tp in list(remaining):
            # position, not the last offset seen: transaction markers occupy offsets without being records
            if await client.position(tp) >= end[tp]:
                remaining.discard(tp)


async def list_dead_letters(bootstrap: str, topic: str, group: str, limit: int | None = None) -> list[DeadLetter]:
    """Every dead letter still retained, oldest first per partition, marked if already replayed."""
    async with consumer(bootstrap, group) as client:
        tps = await partitions(bootstrap, topic)
        client.assign(tps)
        start, end = await _pending(client, tps, from_committed=False)
        committed = {tp: (await client.committed(tp)) or 0 for tp in tps}
        found: list[DeadLetter] = []
        async for tp, records in _read(client, start, end):
            found += [DeadLetter.of(r, replayed=r.offset < committed[tp]) for r in records]
            if limit is not None and len(found) >= limit:
                return found[:limit]
        return found


async def pending_count(bootstrap: str, topic: str, group: str) -> int:
    async with consumer(bootstrap, group) as client:
        tps = await partitions(bootstrap, topic)
        client.assign(tps)
        start, end = await _pending(client, tps, from_committed=True)
        return sum(end[tp] - start[tp] for tp in tps)


async def replay(
    bootstrap: str,
    topic: str,
    group: str,
    *,
    on_progress: Callable[[int], None] = lambda _: None,
) -> ReplayResult:
    """Re-publishes every dead letter not yet replayed to its original topic; commits progress per batch."""
    result = ReplayResult()
    producer = new_producer(bootstrap, "accord-ops-replay", operator_security())
    await producer.start()
    try:
        async with consumer(bootstrap, group) as client:
            tps = await partitions(bootstrap, topic)
            client.assign(tps)
            start, end = await _pending(client, tps, from_committed=True)
            async for tp, records in _read(client, start, end):
                acks = []
                for letter in map(DeadLetter.of, records):
                    if letter.original_topic is None:
                        result.skipped.append(letter)
                        continue
                    # Marked as a replay of this dead letter, so that the consumer, which sends a copy of an event it
                    # has already dead-lettered nowhere, sees a new attempt (and dead-letters it again if it fails).
                    replay_of = (REPLAY_OF_HEADER, f"{topic}/{letter.partition}/{letter.offset}".encode())
                    headers = [*letter.original_headers, replay_of]
                    acks.append(
                        await producer.send(letter.original_topic, value=letter.value, key=letter.key, headers=headers)
                    )
                    result.by_topic[letter.original_topic] += 1
                await asyncio.gather(*acks)  # acknowledged by Kafka before the offset says "replayed"
                await client.commit({tp: records[-1].offset + 1})
                result.replayed += len(acks)
                on_progress(len(records))
    finally:
        await producer.stop()
    return result
