"""Each service's copy of the episodes' data keys, which seal their events on the goals and progress topics
(`events/sealing.py`, docs/privacy.md "Kafka topics").

The goals service makes an episode's key in the transaction that opens the episode and destroys it in the
transaction that expires it; every other service stores the copy it is sent in its inbox transaction and destroys it
when it applies `EpisodeRecordsExpired`. A destroyed key leaves its row behind with no key in it, so that a late copy
of the key (the topic it came on was not compacted yet, or a redelivery) is never taken back: the row says the
episode's events are expired here, which is not the same as a key that has not arrived yet (its events wait).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import asyncpg
import structlog
from aiokafka.structs import ConsumerRecord

from accord.shared.db import Connection
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import topic_for

if TYPE_CHECKING:
    from accord.shared.inbox import EventHandler

from accord.shared.events.contracts.goals import EpisodeKeyIssued
from accord.shared.events.sealing import KeyDestroyed, KeyNotHere, WrappingKeys, is_sealable, seal, unseal

log = structlog.get_logger(__name__)


def episode_keys_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.episode_keys (
            episode_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            key bytea CHECK (key IS NULL OR length(key) = 32),
            destroyed_at timestamptz,
            CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
        )"""
    ]


class EpisodeKeys:
    """One service's key store (its own schema)."""

    def __init__(self, schema: str | None) -> None:
        # None: the connection's search_path names the service's schema (the goals repository's connections).
        self.table = f"{schema}.episode_keys" if schema else "episode_keys"

    async def store(self, conn: Connection, tenant_id: str, episode_id: UUID, key: bytes) -> bool:
        """Keeps a copy of a key received; never one already destroyed here. True when it was new."""
        stored = await conn.fetchval(
            f"INSERT INTO {self.table} (episode_id, tenant_id, key) VALUES ($1, $2, $3) "
            "ON CONFLICT (episode_id) DO NOTHING RETURNING true",
            episode_id,
            tenant_id,
            key,
        )
        return bool(stored)

    async def destroy(self, conn: Connection, tenant_id: str, episode_id: UUID) -> None:
        """Destroys the episode's key here, or marks it destroyed before it ever arrived (idempotent)."""
        await conn.execute(
            f"INSERT INTO {self.table} (episode_id, tenant_id, key, destroyed_at) VALUES ($1, $2, NULL, now()) "
            "ON CONFLICT (episode_id) DO UPDATE SET key = NULL, destroyed_at = coalesce("
            f"{self.table}.destroyed_at, now())",
            episode_id,
            tenant_id,
        )

    async def lookup(self, conn: Connection, episode_ids: Iterable[UUID]) -> dict[UUID, bytes | None]:
        """The keys of the episodes named that are known here: None for one destroyed; absent for one not here."""
        rows = await conn.fetch(
            f"SELECT episode_id, key FROM {self.table} WHERE episode_id = ANY($1::uuid[])", list(set(episode_ids))
        )
        return {r["episode_id"]: r["key"] for r in rows}

    async def everything(self, conn: Connection) -> dict[UUID, bytes | None]:
        """Every key known here (the reporting rebuild's: one row of 32 bytes per episode)."""
        return {r["episode_id"]: r["key"] for r in await conn.fetch(f"SELECT episode_id, key FROM {self.table}")}


def key_for(keys: Mapping[UUID, bytes | None], episode_id: UUID) -> bytes:
    """The key of `episode_id` among those looked up; KeyDestroyed or KeyNotHere when it cannot be had."""
    if episode_id not in keys:
        raise KeyNotHere(f"the key of episode {episode_id} has not arrived yet")
    key = keys[episode_id]
    if key is None:
        raise KeyDestroyed(f"the key of episode {episode_id} was destroyed at the end of its retention period")
    return key


class FoundEpisodes(NamedTuple):
    """What a service's `EpisodesOf` found: the episode of each event, in order, and the keys of those episodes read
    in the same statement (a key row's key, None when destroyed; an episode with no key row is left out, so that
    the sealer looks it up again and refuses it)."""

    episodes: Sequence[UUID | None]
    keys: Mapping[UUID, bytes | None]


@dataclass
class EpisodesRead:
    """Episodes and keys a command has already read in its transaction, before its events are written (a goal's
    episode and key, read with the goal under its lock): the sealer takes them from here rather than asking again.
    `episodes`: a record's id (a goal's) -> its episode; `keys`: as in `FoundEpisodes`."""

    episodes: dict[UUID, UUID] = field(default_factory=dict)
    keys: dict[UUID, bytes | None] = field(default_factory=dict)


EpisodesOf = Callable[[Connection, Sequence[Envelope], EpisodesRead], Awaitable[FoundEpisodes]]
"""The episode each event is about where it names one only through its records (a goal's, an entry's), in order,
with their keys: the service's own lookup (taking what the command has read already), one query for all the events
an outbox write announces (a batch of entries: one), which reads the keys with the episodes so that sealing them
takes no second round trip."""

EPISODE_HEADER = "episode_id"
"""The Kafka header naming a sealed event's episode, so a consumer fetches a batch's keys before decoding it."""


class Sealer:
    """Seals, as they are written to the outbox, the events about an episode (`events/sealing.py`)."""

    def __init__(self, keys: EpisodeKeys, episodes_of: EpisodesOf | None = None) -> None:
        self.keys, self.episodes_of = keys, episodes_of

    async def seal_all(
        self, conn: Connection, envelopes: Iterable[Envelope], read: EpisodesRead | None = None
    ) -> list[Envelope]:
        """`read`: what the command has read already in this transaction (not looked up again)."""
        envelopes, read = list(envelopes), read or EpisodesRead()
        sealable = [is_sealable(e.event_type, topic_for(e.event_type)) for e in envelopes]
        about: list[UUID | None] = [
            UUID(str(e.payload["episode_id"])) if s and e.payload.get("episode_id") is not None else None
            for e, s in zip(envelopes, sealable, strict=True)
        ]
        unnamed = [i for i, (a, s) in enumerate(zip(about, sealable, strict=True)) if s and a is None]
        keys = dict(read.keys)
        if unnamed and self.episodes_of is not None:
            found = await self.episodes_of(conn, [envelopes[i] for i in unnamed], read)
            for i, episode in zip(unnamed, found.episodes, strict=True):
                about[i] = episode
            keys.update(found.keys)
        wanted = {a for a in about if a is not None}
        if not wanted:
            return envelopes
        # A key destroyed or not here fails the transaction: never publish an episode's event in plaintext. Keys read
        # with their episodes (the same transaction) are not looked up again.
        if unread := wanted - keys.keys():
            keys.update(await self.keys.lookup(conn, unread))
        return [e if a is None else seal(e, a, key_for(keys, a)) for e, a in zip(envelopes, about, strict=True)]


class BatchKeys:
    """The keys a batch of records needs, fetched once for the batch."""

    def __init__(self, keys: Mapping[UUID, bytes | None]) -> None:
        self.keys = keys

    def unseal(self, envelope: Envelope) -> Envelope:
        """The envelope opened; KeyNotHere (wait), KeyDestroyed (expired), ValueError (not its key: altered)."""
        if envelope.sealed is None:
            return envelope
        if envelope.episode_id is None:
            raise ValueError("a sealed event must name its episode")
        return unseal(envelope, key_for(self.keys, envelope.episode_id))


NOTHING_SEALED = BatchKeys({})


class Opener:
    """A consumer's access to its service's key store: the keys of a batch, before it is decoded.

    A key normally arrives within moments of its episode's first event (its topic is consumed by a group of its own).
    While it has not, the batch fails and is delivered again, so that nothing about the episode is applied out of
    order. But a key that never comes (its `EpisodeKeyIssued` dead-lettered, a producer's bug) must not hold up its
    partition, and every client behind it, for ever: once an episode's key has been missing for `give_up_seconds`
    since this consumer first looked for it, its events are dead-lettered with the reason named, to be replayed
    when the key is here (`accord-ops dlq replay`).
    """

    _REMEMBERED = 10_000
    """Episodes whose key is missing remembered at most (the oldest forgotten first): a bound on memory."""

    def __init__(
        self,
        keys: EpisodeKeys,
        pool: asyncpg.Pool,
        wait_seconds: float = 0.5,
        give_up_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keys, self.pool, self.wait_seconds = keys, pool, wait_seconds
        self.give_up_seconds, self.clock = give_up_seconds, clock
        self._missing_since: dict[UUID, float] = {}

    async def for_records(self, records: Sequence[ConsumerRecord[bytes, bytes]], handled: Container[str]) -> BatchKeys:
        wanted = set()
        for record in records:
            headers = dict(record.headers or ())
            episode, event_type = headers.get(EPISODE_HEADER), headers.get("event_type")
            if episode and event_type and bytes(event_type).decode() in handled:
                wanted.add(UUID(bytes(episode).decode()))
        if not wanted:
            return NOTHING_SEALED
        async with self.pool.acquire() as conn:
            keys = await self.keys.lookup(conn, wanted)
            if not wanted <= keys.keys() and not all(self.given_up(e) for e in wanted - keys.keys()):
                # A key on its way (its topic is consumed apart): give it a moment before the batch is redelivered.
                await asyncio.sleep(self.wait_seconds)
                keys = await self.keys.lookup(conn, wanted)
        self._note_missing(wanted - keys.keys(), wanted & keys.keys())
        return BatchKeys(keys)

    def given_up(self, episode_id: UUID) -> bool:
        """Whether this episode's key has been missing here for longer than the wait allows."""
        since = self._missing_since.get(episode_id)
        return since is not None and self.clock() - since >= self.give_up_seconds

    def _note_missing(self, missing: Iterable[UUID], found: Iterable[UUID]) -> None:
        now = self.clock()
        for episode in found:
            self._missing_since.pop(episode, None)
        for episode in missing:
            if episode not in self._missing_since:
                # Said once per episode: what the consumer waits for (an id, no clinical text).
                log.warning("waiting for an episode key", episode_id=str(episode), give_up_seconds=self.give_up_seconds)
                self._missing_since[episode] = now
        while len(self._missing_since) > self._REMEMBERED:
            del self._missing_since[next(iter(self._missing_since))]


def key_issued(client_id: UUID, episode_id: UUID, key: bytes, wrapping: WrappingKeys) -> EpisodeKeyIssued:
    """The announcement of an episode's new data key, the key wrapped under the current key-encryption key."""
    wrapping_key_id, wrapped = wrapping.wrap(episode_id, key)
    return EpisodeKeyIssued(
        client_id=client_id, episode_id=episode_id, wrapping_key_id=wrapping_key_id, wrapped_key=wrapped
    )


def on_episode_key_issued(schema: str, wrapping: WrappingKeys) -> "EventHandler":
    """The inbox handler of `EpisodeKeyIssued`: the key unwrapped and kept here, unless this service has destroyed it
    already. A key wrapped under a key-encryption key not given here fails (WrappingKeyUnknown), and its event is
    dead-lettered with that reason once the consumer's attempts are spent."""
    keys = EpisodeKeys(schema)

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        key = wrapping.unwrap(event.wrapping_key_id, event.episode_id, event.wrapped_key)
        await keys.store(conn, envelope.tenant_id, event.episode_id, key)

    return handle


def keys_group(service: str) -> str:
    """The consumer group of a service's copy of the keys: apart from its group of the sealed topics, whose batches
    wait for keys (a key in the same batch as an event it opens would wait for itself)."""
    return f"{service}-episode-keys"
