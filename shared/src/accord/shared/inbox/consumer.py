import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from opentelemetry import propagate, trace
from pydantic import ValidationError

from accord.shared.db import Connection
from accord.shared.episode_keys import NOTHING_SEALED, Opener
from accord.shared.events.base import IntegrationEvent
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import dead_letter_topic
from accord.shared.events.sealing import KeyDestroyed, KeyNotHere
from accord.shared.faults import fault_point
from accord.shared.metrics import CONSUMER_PROCESSED, DEAD_LETTERS

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("accord.inbox")

EventHandler = Callable[[Connection, Envelope, Any], Awaitable[None]]
"""`handler(conn, envelope, event)`: applies the event's effect with `conn`, inside the inbox transaction."""

Work = tuple["ConsumerRecord[bytes, bytes]", Envelope, IntegrationEvent, EventHandler]


@dataclass(frozen=True)
class Delivered:
    """One event handed to a batch effect: its envelope and its opened payload."""

    envelope: Envelope
    event: Any


class BatchEffect:
    """An effect that applies many events at once (one multi-row statement rather than one round trip per event).

    `apply_many(conn, delivered)` gets, in their order on the topic, the new events of one batch that run into this
    same effect one after another; duplicates are already skipped. It runs inside the inbox transaction, so its
    writes commit with the inbox rows, before the offsets. Called as an `EventHandler` (one event) it applies that
    one event: this is how the consumer redoes a failing batch one event at a time, so that only the poison event
    is dead-lettered. Worth it where an event's effect is a write that several events can share (projections).
    """

    def __init__(self, apply_many: Callable[[Connection, Sequence[Delivered]], Awaitable[None]]) -> None:
        self.apply_many = apply_many

    async def __call__(self, conn: Connection, envelope: Envelope, event: Any) -> None:
        await self.apply_many(conn, [Delivered(envelope, event)])


_DATABASE_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    OSError,
)
"""The database, not the event, is the problem: fail the whole batch so that it is redelivered."""


class _FirstFailure(Exception):
    """`event_id`: the event whose handler failed (its first attempt), or None when a batch effect failed as a
    whole and the culprit is not known yet."""

    def __init__(self, event_id: UUID | None, reason: str) -> None:
        self.event_id, self.reason = event_id, reason


@contextmanager
def _event_scope(record: ConsumerRecord[bytes, bytes], envelope: Envelope) -> Iterator[None]:
    """A consumer span continuing the producer's trace, and the event's ids on every log line."""
    with (
        tracer.start_as_current_span(
            f"consume {envelope.event_type}", context=trace_context(record), kind=trace.SpanKind.CONSUMER
        ),
        structlog.contextvars.bound_contextvars(
            correlation_id=str(envelope.correlation_id),
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
        ),
    ):
        yield


KEY_MISSING_REASON = "episode key not here"
"""How a dead letter whose episode's key never came starts its reason (an operator replays it once the key is here)."""

REPLAY_OF_HEADER = "dlq.replay_of"
"""Set by the operator's replay on the copy it re-publishes: the dead letter it came from (topic/partition/offset)."""


@dataclass(frozen=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    reason: str

    @property
    def key(self) -> tuple[UUID, str] | None:
        """(event id, replay it came from), when the record names its event; an undecodable one may not."""
        headers = {k: bytes(v).decode(errors="replace") for k, v in self.record.headers or ()}
        try:
            event_id = UUID(headers["event_id"])
        except (KeyError, ValueError):
            try:
                event_id = Envelope.from_bytes(self.record.value or b"").event_id
            except (ValidationError, ValueError, KeyError, UnicodeDecodeError):
                return None
        return event_id, headers.get(REPLAY_OF_HEADER, "")


class IdempotentConsumer:
    """Handles a batch of Kafka records exactly once in effect.

    First the fast path: one transaction for the batch, one insert of its inbox rows (consumer group, event id),
    then the handler of every event whose row was new (a row already there is a duplicate, skipped). If a handler
    fails, that transaction is rolled back and the batch is redone one event at a time, each in a savepoint with
    its own inbox row and bounded retries, so that only the failing event is dead-lettered. A record that cannot be
    decoded is collected for the dead-letter topic as well, and the batch moves on. A record whose `event_type`
    header names a type without a handler here is passed over undecoded (a record that names no type is decoded to
    tell). The caller commits the Kafka offsets only after `handle_batch` returns, passed-over records included.
    """

    def __init__(
        self,
        *,
        service: str,
        schema: str,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        handlers: Mapping[str, EventHandler],
        max_attempts: int = 3,
        retry_backoff: float = 0.05,
        group_id: str | None = None,
        dead_letters_to: str | None = None,
        opener: Opener | None = None,
    ) -> None:
        # One consumer group per service; the dead-letter topic is the service's, unless a test says otherwise.
        self.service, self.group_id = service, group_id or service
        self.pool, self.producer, self.handlers = pool, producer, dict(handlers)
        self.max_attempts, self.retry_backoff = max_attempts, retry_backoff
        self.dead_letter_topic = dead_letters_to or dead_letter_topic(service)
        self.opener = opener  # opens sealed events with this service's episode keys (episode_keys.py)
        self._claim_inbox = (
            f"INSERT INTO {schema}.inbox (consumer_group, event_id) SELECT $1, unnest($2::uuid[]) "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        )
        self._dead_letters_sent = (
            f"SELECT event_id, replay_of FROM {schema}.dead_letter_records "
            "WHERE consumer_group = $1 AND event_id = ANY($2::uuid[])"
        )
        self._record_dead_letters = (
            f"INSERT INTO {schema}.dead_letter_records (consumer_group, event_id, replay_of) "
            "SELECT $1, unnest($2::uuid[]), unnest($3::text[]) ON CONFLICT DO NOTHING"
        )
        self._insert_inbox = (
            f"INSERT INTO {schema}.inbox (consumer_group, event_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING RETURNING true"
        )

    async def handle_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        dead: list[DeadLetter] = []
        work: list[Work] = []
        # A key not here yet raises KeyNotHere from unseal: the batch fails and is redelivered, until the opener has
        # given up waiting for that key; then the event is dead-lettered, to be replayed once the key is here.
        keys = await self.opener.for_records(records, self.handlers) if self.opener else NOTHING_SEALED
        for record in records:
            if record.value is None:
                continue  # a tombstone of a compacted topic: nothing to apply
            named = _named_type(record)
            if named is not None and named not in self.handlers:
                # Not an event this service reacts to, as the relay's header says: passed over without decoding
                # its payload (two validations, most of a skipped record's cost). No inbox row, as before; its
                # offset is committed with the batch's.
                continue
            try:
                envelope = Envelope.from_bytes(record.value)
                handler = self.handlers.get(envelope.event_type)
                if handler is None:
                    continue  # not an event this service reacts to
                envelope = keys.unseal(envelope)
                work.append((record, envelope, envelope.open(), handler))
            except KeyDestroyed:
                # The episode's retention period is over: what is left of its events can no longer be read.
                CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "expired").inc()
            except KeyNotHere as exc:
                if self.opener is None or envelope.episode_id is None or not self.opener.given_up(envelope.episode_id):
                    raise
                CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "dead_lettered").inc()
                waited = self.opener.give_up_seconds
                dead.append(DeadLetter(record, f"{KEY_MISSING_REASON} after {waited:g} s: {exc}; replay it then"))
            except ValidationError as exc:
                # include_input=False: the rejected values may be health data and must not reach the reason.
                errors = exc.errors(include_input=False, include_url=False)
                dead.append(DeadLetter(record, f"undecodable: {errors}"[:1000]))
            except (KeyError, ValueError, UnicodeDecodeError) as exc:
                dead.append(DeadLetter(record, f"undecodable: {type(exc).__name__}: {exc}"[:1000]))
        if work:
            async with self.pool.acquire() as conn:
                try:
                    await self._apply_all_at_once(conn, work)
                except _DATABASE_GONE:
                    raise
                except _FirstFailure as failure:
                    # One event failed: redo the batch with a savepoint per event, so only that one is dead-lettered.
                    dead += await self._apply_one_by_one(conn, work, failure)
            await fault_point("consumer.after_db_commit")
        if dead:
            await self._dead_letter(dead)

    async def _apply_all_at_once(self, conn: Connection, work: list[Work]) -> None:
        """The fast path: one inbox insert for the batch, then every handler, in one transaction. Consecutive new
        events of one batch effect are applied by it together; the order of effects is the order on the topic."""
        async with conn.transaction():
            ids = [envelope.event_id for _, envelope, _, _ in work]
            fresh = {r["event_id"] for r in await conn.fetch(self._claim_inbox, self.group_id, ids)}
            run: list[Work] = []  # new events waiting for the same batch effect
            for item in work:
                record, envelope, event, handler = item
                if envelope.event_id not in fresh:  # seen before, or a second copy within this batch
                    CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "duplicate").inc()
                    continue
                fresh.discard(envelope.event_id)
                if isinstance(handler, BatchEffect):
                    if run and run[0][3] is not handler:
                        await self._apply_run(conn, run)
                        run = []
                    run.append(item)
                    continue
                if run:
                    await self._apply_run(conn, run)
                    run = []
                with _event_scope(record, envelope):
                    try:
                        await handler(conn, envelope, event)
                    except _DATABASE_GONE:
                        raise
                    except Exception as exc:
                        log.warning("event handler failed", attempt=1, error=type(exc).__name__)
                        raise _FirstFailure(envelope.event_id, _failure_reason(1, exc)) from exc
                CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "handled").inc()
            if run:
                await self._apply_run(conn, run)

    async def _apply_run(self, conn: Connection, run: list[Work]) -> None:
        effect = run[0][3]
        assert isinstance(effect, BatchEffect)
        with tracer.start_as_current_span("consume batch", kind=trace.SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.batch.message_count", len(run))
            try:
                await effect.apply_many(conn, [Delivered(envelope, event) for _, envelope, event, _ in run])
            except _DATABASE_GONE:
                raise
            except Exception as exc:
                # Which event is to blame is not known here: the one-by-one pass finds it, with its full retries.
                log.warning("batch effect failed", events=len(run), error=type(exc).__name__)
                raise _FirstFailure(None, _failure_reason(1, exc)) from exc
        for event_type, count in Counter(envelope.event_type for _, envelope, _, _ in run).items():
            CONSUMER_PROCESSED.labels(self.service, event_type, "handled").inc(count)

    async def _apply_one_by_one(self, conn: Connection, work: list[Work], first: _FirstFailure) -> list[DeadLetter]:
        dead = []
        async with conn.transaction():
            for record, envelope, event, handler in work:
                tried = 1 if envelope.event_id == first.event_id else 0
                if tried >= self.max_attempts:
                    CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "dead_lettered").inc()
                    dead.append(DeadLetter(record, first.reason))
                    continue
                with _event_scope(record, envelope):
                    reason = await self._apply(conn, envelope, event, handler, tried)
                if reason is not None:
                    dead.append(DeadLetter(record, reason))
        return dead

    async def _apply(
        self, conn: Connection, envelope: Envelope, event: IntegrationEvent, handler: EventHandler, tried: int
    ) -> str | None:
        """Runs the handler with bounded retries; returns the reason when it must be dead-lettered."""
        for attempt in range(tried + 1, self.max_attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.retry_backoff * (attempt - 1))
            try:
                async with conn.transaction():  # a savepoint: a failure undoes this event only
                    if not await conn.fetchval(self._insert_inbox, self.group_id, envelope.event_id):
                        CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "duplicate").inc()
                        return None
                    await handler(conn, envelope, event)
                CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "handled").inc()
                return None
            except _DATABASE_GONE:
                raise  # the database is gone, not the event: fail the batch so it is redelivered
            except Exception as exc:
                log.warning("event handler failed", attempt=attempt, error=type(exc).__name__)
                if attempt == self.max_attempts:
                    CONSUMER_PROCESSED.labels(self.service, envelope.event_type, "dead_lettered").inc()
                    return _failure_reason(attempt, exc)
        return None

    async def _dead_letter(self, dead: list[DeadLetter]) -> None:
        """Sends each to the dead-letter topic once per consumer group: a copy of an event this group has already
        dead-lettered (published twice by a relay after a fault, or redelivered after a crash here) is not sent
        again. The record is written after Kafka has the dead letter, so a crash in between sends it again rather
        than never (at least once, like every publish); the copies a relay makes are what this removes."""
        keys = [item.key for item in dead]
        async with self.pool.acquire() as conn:
            ids = [key[0] for key in keys if key is not None]
            sent = {
                (r["event_id"], r["replay_of"]) for r in await conn.fetch(self._dead_letters_sent, self.group_id, ids)
            }
        acks, recorded = [], []
        for item, key in zip(dead, keys, strict=True):
            record = item.record
            if key is not None and key in sent:
                log.info(
                    "dead letter already sent", topic=record.topic, partition=record.partition, offset=record.offset
                )
                continue
            if key is not None:
                sent.add(key)  # a second copy within this batch
                recorded.append(key)
            headers = [
                *(record.headers or ()),
                ("dlq.reason", item.reason.encode()),
                ("dlq.original_topic", record.topic.encode()),
                ("dlq.original_partition", str(record.partition).encode()),
                ("dlq.original_offset", str(record.offset).encode()),
                ("dlq.consumer_group", self.group_id.encode()),
                ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
            ]
            acks.append(
                await self.producer.send(self.dead_letter_topic, value=record.value, key=record.key, headers=headers)
            )
            DEAD_LETTERS.labels(self.service, record.topic).inc()
            log.error(
                "event dead-lettered",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                reason=item.reason[:200],
            )
        await asyncio.gather(*acks)
        if recorded:
            event_ids, replays = zip(*recorded, strict=True)
            await self.pool.execute(self._record_dead_letters, self.group_id, list(event_ids), list(replays))


EVENT_TYPE_HEADER = "event_type"
"""Set by every relay from the envelope it publishes (outbox.store.envelope_headers)."""


def _named_type(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The event type the record's header names, or None when it names none (then the payload is decoded to tell:
    a record without it, such as a poison message, is still dead-lettered by every group)."""
    for key, value in record.headers or ():
        if key == EVENT_TYPE_HEADER:
            return bytes(value).decode(errors="replace")
    return None


def _failure_reason(attempts: int, exc: Exception) -> str:
    return f"handler failed {attempts} times: {type(exc).__name__}: {exc}"[:1000]


def trace_context(record: ConsumerRecord[bytes, bytes]) -> Any:
    carrier = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
    return propagate.extract(carrier)
