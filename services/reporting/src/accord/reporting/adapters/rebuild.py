"""Rebuilds every projection from the topics, from the beginning, in one database transaction.

1. Begin; DELETE every projection row and the consumer group's inbox rows (readers keep the old projections until
   commit; DELETE, unlike TRUNCATE, takes no lock that would stop the live consumer or the API).
2. Only then capture the topics' end offsets: anything the live consumer wrote before the DELETE came from below
   them, so the rebuild reads it again; anything written after the DELETE is not removed by it.
3. Read every partition from its beginning up to those end offsets, turn events into rows with the very function
   the live consumer uses, COPY them in batches into staging tables and move them over with ON CONFLICT DO NOTHING
   (a row the live consumer inserted meanwhile is simply kept: both wrote the same fact).
   A sealed event (`accord.shared.events.sealing`) is opened with reporting's own copy of its episode's key
   (`episode_keys`, which the rebuild keeps); one whose key is destroyed (its episode expired) is passed over and
   counted; one whose key has not reached reporting yet stops the rebuild (nothing changed: run it again).
4. Remove again the rows of every episode whose clinical retention period is over (`expired_episodes`, which the
   rebuild keeps, and the `EpisodeRecordsExpired` events it read): events published before sealing, or not
   about an episode, are still readable on the topics.
5. Commit; then advance the consumer group to the end offsets where it is behind, so a stopped worker does not
   re-read what the rebuild applied. A running worker's group cannot be moved from outside; that is harmless, as
   re-applying an event adds nothing (rows are keyed by the facts' own ids).

Stop the worker first, as a rule. The result is right with it running too, but the two may then wait on each
other's rows; should PostgreSQL break such a deadlock by aborting the rebuild, nothing has changed and it can be run
again.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.reporting.adapters.clinical_retention import ExpiredEpisodes
from accord.reporting.adapters.projection_store import ProjectionStore
from accord.reporting.domain.projection import PROJECTORS, Row, rows_for
from accord.reporting.settings import Settings
from accord.shared.db import create_pool
from accord.shared.episode_keys import BatchKeys, EpisodeKeys
from accord.shared.events import Envelope
from accord.shared.events.registry import EPISODE_KEYS_TOPIC
from accord.shared.events.sealing import KeyDestroyed, KeyNotHere
from accord.shared.kafka import client_options


@dataclass(frozen=True)
class RebuildResult:
    events: int
    """Records read (every event of the topics up to their end offsets at the start)."""
    projected: int
    """Events reporting keeps facts of."""
    undecodable: int
    expired: int
    """Sealed events of episodes whose retention period is over: their key is destroyed, so they are passed over."""
    seconds: float
    group_caught_up: bool
    """The service's consumer group stands at or past the end offsets (advanced there if it was behind)."""

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _expired(raw: bytes | None) -> tuple[str, Any, Any] | None:
    """(tenant, client, episode) of an `EpisodeRecordsExpired` (a cheap look at the bytes first: it is rare)."""
    if not raw or b"EpisodeRecordsExpired" not in raw:
        return None
    envelope = Envelope.from_bytes(raw)
    if envelope.event_type != "EpisodeRecordsExpired":
        return None
    event: Any = envelope.open()
    return envelope.tenant_id, event.client_id, event.episode_id


def _rows(raw: bytes | None, keys: BatchKeys) -> list[Row] | None:
    """The event's rows; None when it cannot be decoded (the live consumer dead-letters such a record). Raises
    KeyDestroyed for a sealed event of an expired episode, KeyNotHere for one whose key has not reached reporting."""
    try:
        envelope = Envelope.from_bytes(raw or b"")
        if envelope.event_type not in PROJECTORS:
            return []
        envelope = keys.unseal(envelope)
        return rows_for(envelope, envelope.open())
    except (ValidationError, KeyError, ValueError, UnicodeDecodeError):
        return None


async def _partitions(bootstrap: str, topics: Sequence[str], security: dict[str, Any]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="accord-reporting-rebuild", **security)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics(list(topics))}
    finally:
        await admin.close()
    found = []
    for topic in topics:
        partitions = described.get(topic, {}).get("partitions") or []
        if not partitions:
            raise LookupError(f"topic {topic} does not exist")
        found += [TopicPartition(topic, p["partition"]) for p in sorted(partitions, key=lambda p: p["partition"])]
    return found


async def _advance_group(bootstrap: str, group: str, end: dict[TopicPartition, int], security: dict[str, Any]) -> bool:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **security)
    await consumer.start()
    try:
        consumer.assign(list(end))
        behind = {}
        for tp, offset in end.items():
            committed = await consumer.committed(tp)
            if committed is None or committed < offset:  # never move the group backwards
                behind[tp] = OffsetAndMetadata(offset, "reporting rebuild")
        if behind:
            await consumer.commit(behind)
        return True
    except KafkaError:
        return False  # the group has live members (the worker runs): see the module docstring
    finally:
        await consumer.stop()


@dataclass
class _Tally:
    keys: BatchKeys
    """Every episode key reporting holds (one row each), read at the start in the rebuild's transaction."""
    events: int = 0
    projected: int = 0
    undecodable: int = 0
    sealed_expired: int = 0
    expired: list[tuple[str, Any, Any]] = field(default_factory=list)
    """(tenant, client, episode) of each `EpisodeRecordsExpired` read."""

    def rows_of(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[Row]:
        rows: list[Row] = []
        for record in records:
            if record.value is None:
                continue  # a tombstone: not on these topics, but nothing to read either
            try:
                found = _rows(record.value, self.keys)
            except KeyDestroyed:
                self.events += 1
                self.sealed_expired += 1
                continue
            except KeyNotHere as exc:
                raise LookupError(
                    f"{exc}: let the reporting worker catch up with {EPISODE_KEYS_TOPIC}, then rebuild again"
                ) from None
            expired = _expired(record.value) if found == [] else None
            if expired is not None:
                self.expired.append(expired)
            self.events += 1
            self.undecodable += found is None
            self.projected += bool(found)
            rows += found or []
        return rows


async def _records_until(
    consumer: AIOKafkaConsumer, begin: dict[TopicPartition, int], end: dict[TopicPartition, int], batch_size: int
) -> AsyncIterator[list[ConsumerRecord[bytes, bytes]]]:
    """Batches of every partition's records from its beginning up to (not including) its end offset."""
    await consumer.seek_to_beginning(*end)
    pending = {tp for tp, offset in end.items() if offset > begin[tp]}
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=batch_size)
        # Records past the end arrived after the rebuild began: the live consumer's business.
        yield [r for tp, records in batch.items() for r in records if r.offset < end[tp]]
        for tp in list(pending):
            if await consumer.position(tp) >= end[tp]:
                pending.discard(tp)


async def rebuild(settings: Settings, topics: Sequence[str], *, show_progress: bool = True) -> RebuildResult:
    store = ProjectionStore(settings.db_schema)
    security = client_options(settings)  # the reporting principal, as its worker connects
    partitions = await _partitions(settings.kafka_bootstrap_servers, topics, security)
    pool = await create_pool(settings, min_size=1, max_size=1)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,  # the default 500 ms delays every offset lookup by as much
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
        **security,
    )
    await consumer.start()
    started = time.perf_counter()
    try:
        consumer.assign(partitions)
        async with pool.acquire() as conn, conn.transaction():
            tally = _Tally(BatchKeys(await EpisodeKeys(settings.db_schema).everything(conn)))
            await store.clear(conn, settings.service)
            await store.create_staging(conn)
            end = await consumer.end_offsets(partitions)  # only now: see the module docstring
            begin = await consumer.beginning_offsets(partitions)
            with _progress(show_progress) as progress:
                task = progress.add_task("events", total=sum(end[tp] - begin[tp] for tp in partitions))
                writing: asyncio.Task[None] | None = None
                try:
                    async for records in _records_until(consumer, begin, end, settings.rebuild_batch_size):
                        rows = tally.rows_of(records)
                        if writing is not None:
                            await writing
                        # PostgreSQL stores this batch while the next one is fetched and decoded.
                        writing = asyncio.create_task(store.add_bulk(conn, rows))
                        progress.update(task, completed=tally.events)
                finally:
                    if writing is not None:
                        await writing
            expired = ExpiredEpisodes(conn, settings.db_schema)
            for tenant_id, client_id, episode_id in tally.expired:
                await expired.remove_episode(tenant_id, client_id, episode_id)
            await expired.remove_all_expired()
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
        await pool.close()
    caught_up = await _advance_group(settings.kafka_bootstrap_servers, settings.service, end, security)
    return RebuildResult(tally.events, tally.projected, tally.undecodable, tally.sealed_expired, seconds, caught_up)


def _progress(show: bool) -> Progress:
    columns = [TextColumn("rebuilding projections"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    return Progress(*columns, disable=not show)
