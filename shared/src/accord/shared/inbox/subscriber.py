"""Wires an IdempotentConsumer to a faststream Kafka broker or router as a batch subscriber."""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from faststream.message import AckStatus

from accord.shared.inbox.consumer import IdempotentConsumer
from accord.shared.inbox.offsets import HeldOffsets
from accord.shared.inbox.wedged import ConsumerWedged, Restarter
from accord.shared.metrics import CONSUMER_LAG

log = structlog.get_logger(__name__)

_BUSY_WITHIN_SECONDS = 0.25
"""A batch less than this long after the previous one means events are flowing: it is worth gathering the next."""


async def _raw(msg: Any) -> Any:
    # Leave the bytes alone: the consumer decodes each record itself, so one undecodable message goes to the
    # dead-letter topic instead of failing (and endlessly redelivering) the whole batch.
    return None


@dataclass(frozen=True)
class Subscribed:
    """A consumer registered on a broker: faststream's subscriber, and the offsets its applied batches hold."""

    subscriber: Any
    offsets: HeldOffsets
    """Released (`offsets.release()`) on a graceful stop, before the broker stops, so that what is held is committed
    while the consumer is still in its group."""


def subscribe(
    broker: KafkaBroker | KafkaRouter,
    consumer: IdempotentConsumer,
    topics: Sequence[str],
    *,
    max_records: int = 500,
    fetch_min_bytes: int = 1,
    fetch_max_wait_ms: int = 500,
    gather_ms: float = 0,
    idle_poll_ms: int = 20,
    commit_interval_ms: float = 0,
    commit_timeout_seconds: float = 30.0,
    description: str | None = None,
) -> Subscribed:
    """Registers the consumer for `topics` under its consumer group (the service's, unless it has its own).

    NACK_ON_ERROR with auto-commit off: offsets are committed only after the batch's transaction (and any
    dead-lettering) succeeded; a batch that fails as a whole is rewound and redelivered. faststream's
    default (ACK_FIRST) would commit before processing and lose events on a crash.

    Every batch costs one transaction and one offset commit, whatever its size, so under load fewer, larger batches
    cost the broker, the database and the consumer far less per event. With `gather_ms`, a batch that follows the
    previous one closely (events are flowing) is followed by a pause of that long before the next is taken, while
    the client keeps fetching in the background: the next batch holds what arrived meanwhile. A batch after a
    quiet spell is handled at once and no pause follows it, so a lone event is not held back (with
    `fetch_min_bytes` 1 the broker answers a fetch as soon as it has one; `fetch_max_wait_ms` is then only how long
    an idle fetch waits before asking again).

    `idle_poll_ms`: faststream waits this long for a batch and, when none came, sleeps as long again before it
    looks (its `batch_timeout_ms`). An event arriving in that sleep waits for it, so it is kept short: at its default
    of 200 ms it was most of an idle hop's latency. Each empty look costs a few tens of microseconds.

    The offsets are committed here, within `commit_timeout_seconds`: a commit that takes longer is wedged, and the
    subscriber is started again in-process (inbox/wedged.py). While events flow, a batch's offsets are held until
    `commit_interval_ms` has passed since the last commit (inbox/offsets.py); after a quiet spell they are
    committed at once. A graceful stop commits what is held when the caller releases the returned offsets before
    it stops the broker (`runtime.run_worker` does).
    """
    last_batch_at = -_BUSY_WITHIN_SECONDS
    restarter = Restarter(consumer.service, consumer.group_id)

    subscriber = broker.subscriber(
        *topics,
        group_id=consumer.group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=idle_poll_ms,
        fetch_min_bytes=fetch_min_bytes,
        fetch_max_wait_ms=fetch_max_wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw,
        description=description,
        # A group of its own names its channels in the AsyncAPI document, which would otherwise clash with the
        # service group's channels of the same topics.
        title=None if consumer.group_id == consumer.service else consumer.group_id,
    )

    held = HeldOffsets(
        commit_interval_ms / 1000, commit_timeout_seconds, lambda: restarter.restart(subscriber), consumer.group_id
    )

    async def on_events(msg: KafkaMessage) -> None:
        nonlocal last_batch_at
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        await consumer.handle_batch(records)
        now = time.monotonic()
        busy, last_batch_at = now - last_batch_at < _BUSY_WITHIN_SECONDS, now
        # So that faststream does not commit every assigned partition's position after the handler.
        msg.committed = AckStatus.ACKED
        try:
            await held.applied(msg.consumer, batch_offsets(records), flowing=busy)
        except TimeoutError as exc:
            restarter.restart(subscriber)
            raise ConsumerWedged(f"offset commit took over {commit_timeout_seconds} s") from exc
        except CommitFailedError:
            # The group rebalanced under this batch: whoever holds its partitions now gets it again, and the inbox
            # skips it there. Nothing to rewind here (the partitions may be gone), so no error either.
            log.info("offsets refused after a rebalance; the batch will be delivered again", group=consumer.group_id)
            return
        _record_lag(consumer.service, msg, records)
        if busy and gather_ms and len(records) < max_records:
            # The effects and the offsets are committed: the pause only lets the next batch gather.
            await asyncio.sleep(gather_ms / 1000)

    subscriber(on_events)
    return Subscribed(subscriber, held)


def batch_offsets(records: Sequence[Any]) -> dict[TopicPartition, int]:
    """The offsets to commit for a batch: each partition it read, just past its last record.

    Only those: a group reading three topics holds some 30 partitions, and a commit of all of them writes an
    offset record for each to `__consumer_offsets` (and encodes each in the request) while a batch under load
    touches a few. The others' committed offsets stay where their last batch left them, which is where their
    positions are: a partition's position moves only by the records it hands out (no transactional producers here,
    so no control records are skipped unseen). Kafka expires a group's offsets only once the group has been empty
    for the retention period (KIP-211), so an offset not committed again since its last batch is kept like the
    others."""
    offsets: dict[TopicPartition, int] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
    return offsets


def _record_lag(service: str, msg: Any, records: Sequence[Any]) -> None:
    last: dict[tuple[str, int], int] = {}
    for r in records:
        last[(r.topic, r.partition)] = max(r.offset, last.get((r.topic, r.partition), -1))
    for (topic, partition), offset in last.items():
        highwater_of = getattr(msg.consumer, "highwater", None)
        highwater = highwater_of(TopicPartition(topic, partition)) if highwater_of else None
        if highwater is not None:
            CONSUMER_LAG.labels(service, topic, str(partition)).set(max(0, highwater - offset - 1))
