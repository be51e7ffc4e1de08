"""Helpers for the test suites of every service (imported by tests only)."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar
from uuid import UUID, uuid4

import asyncpg
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, IllegalGenerationError, RebalanceInProgressError, UnknownMemberIdError
from aiokafka.structs import ConsumerRecord
from starlette.types import ASGIApp

from accord.devtools.infra.identity import DevIdentityProvider as TokenFactory
from accord.shared.db import Connection, create_pool
from accord.shared.episode_keys import BatchKeys, EpisodeKeys
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.events.sealing import KeyDestroyed
from accord.shared.settings import ServiceSettings

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


@dataclass
class Sandbox:
    """A schema of its own (outbox, inbox, effects) so that tests never see each other's rows."""

    schema: str
    dsn: str
    bootstrap: str
    pool: asyncpg.Pool


async def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[Record]], bool],
    timeout: float = 30.0,
    keep: Callable[[Record], bool] = lambda _: True,
) -> list[Record]:
    """Every record of `topic` from the beginning (those `keep` accepts) once `until` holds for them."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Record] = []
        deadline = time.monotonic() + timeout
        while not until(found):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: condition not met in {timeout}s; have {len(found)} records")
            batch = await consumer.getmany(timeout_ms=200)
            found += [r for records in batch.values() for r in records if keep(r)]
        return found
    finally:
        await consumer.stop()


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The topic's partitions. A consumer that has not subscribed has no metadata for it until asked."""
    for _ in range(50):
        if found := consumer.partitions_for_topic(topic):
            return [TopicPartition(topic, p) for p in sorted(found)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise LookupError(f"topic {topic} has no partitions")


async def start_groups_at_end(bootstrap: str, groups: dict[str, tuple[str, ...]]) -> list[str]:
    """Commits each consumer group's offsets at the current end of its topics, so that processes started next read
    only what is published from now on. The session's topics are shared: a stack started late in a run would
    otherwise first work through every event the earlier tests published (minutes of retries and dead letters for
    events whose effects those tests had already made). A group that still has a member (a worker an earlier test
    keeps for the session, or one killed whose session has not expired) cannot be moved: it is left where it is,
    which costs time, not correctness. Returns the groups left."""
    left = []
    for group, topics in groups.items():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [tp for topic in topics for tp in await partitions_of(consumer, topic)]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit(dict(ends))
        except (CommitFailedError, UnknownMemberIdError, IllegalGenerationError, RebalanceInProgressError):
            left.append(group)
        finally:
            await consumer.stop()
    return left


async def committed_offset(bootstrap: str, group: str, topic: str) -> int | None:
    """The group's committed offset on the (one-partition) topic, or None before its first commit."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    found = [meta.offset for tp, meta in offsets.items() if tp.topic == topic]
    return found[0] if found else None


async def create_topic(bootstrap: str, name: str, partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def eventually(check: Callable[[], object], timeout: float = 30.0, interval: float = 0.1) -> None:
    """Waits until `await check()` (or `check()`) is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout}s")
        await asyncio.sleep(interval)


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """`app` served over real HTTP on a free loopback port, for code under test that must reach it as a client would;
    yields its base URL. The app's lifespan is not run here: the test enters it (`app.router.lifespan_context`)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # it could not start: its error, raised here
            raise RuntimeError("the server stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def rolled_back(settings: ServiceSettings) -> AsyncIterator[Connection]:
    """A connection of the service's own role, in a transaction rolled back at the end: for running a repository's
    suite against PostgreSQL without leaving a row behind."""
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            try:
                yield conn
            finally:
                await tx.rollback()
    finally:
        await pool.close()


def header(record: Record, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode()
    return None


def goal_paused(client_id: UUID | None = None, tenant: str = "test-tenant") -> Envelope:
    event = GoalPaused(client_id=client_id or uuid4(), goal_id=uuid4(), paused_by=uuid4())
    return Envelope.wrap(event, producer="goals", tenant_id=tenant)


def event_ids(records: list[Record]) -> list[UUID]:
    return [Envelope.from_bytes(r.value or b"").event_id for r in records]


def of(envelopes: list[Envelope]) -> "IdFilter":
    return IdFilter({e.event_id for e in envelopes})


class IdFilter:
    def __init__(self, ids: set[UUID]) -> None:
        self.ids = ids

    def __call__(self, record: Record) -> bool:
        for key, value in record.headers or ():
            if key == "event_id":
                return UUID(value.decode()) in self.ids
        return False


__all__ = ["TokenFactory"]


R = TypeVar("R")


@dataclass
class InMemoryUnitOfWork(Generic[R]):
    """A unit of work for handler tests: hands out the one in-memory repository, counting how often it was opened
    (it does not roll back), where `accord.shared.db.UnitOfWork` opens one per transaction."""

    repo: R
    opened: int = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[R]:
        self.opened += 1
        yield self.repo


async def service_keys(db: "asyncpg.Pool | Connection", schema: str) -> BatchKeys:
    """Every episode key the service of `schema` holds: a test opens what a sealed topic carries as that service's
    consumer does (`accord.shared.episode_keys`), never by reading around the seal."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return BatchKeys(await EpisodeKeys(schema).everything(conn))
    return BatchKeys(await EpisodeKeys(schema).everything(db))


def opened(record: "Record | bytes | None", keys: BatchKeys) -> Envelope:
    """A record's envelope, opened with `keys` if it is sealed (KeyNotHere, KeyDestroyed when it cannot be)."""
    raw = record if record is None or isinstance(record, bytes) else record.value
    return keys.unseal(Envelope.from_bytes(raw or b""))


def keys_of(database_url: str, schema: str) -> BatchKeys:
    """`service_keys` from synchronous code (the end-to-end tests), through `database_url` (the service's own)."""

    async def read() -> BatchKeys:
        conn = await asyncpg.connect(database_url)
        try:
            return await service_keys(conn, schema)
        finally:
            await conn.close()

    return asyncio.run(read())


async def outbox_events(db: asyncpg.Pool, schema: str, message_key: str | None = None) -> list[dict[str, Any]]:
    """The envelopes (as JSON) in the outbox of `schema`'s service (for `message_key`, if given), in order; those
    sealed opened with that service's own keys, as a consumer would: one whose key is destroyed (its episode expired)
    is passed over, as are tombstones (no payload)."""
    rows = await db.fetch(
        f"SELECT payload FROM {schema}.outbox WHERE ($1::text IS NULL OR message_key = $1) AND payload <> ''"
        " ORDER BY id",
        message_key,
    )
    keys, found = await service_keys(db, schema), []
    for row in rows:
        with contextlib.suppress(KeyDestroyed):
            found.append(json.loads(opened(bytes(row["payload"]), keys).to_bytes()))
    return found
