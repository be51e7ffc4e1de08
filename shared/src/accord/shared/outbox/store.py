import json
from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from opentelemetry import propagate

from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodesRead, Sealer
from accord.shared.events.envelope import Envelope
from accord.shared.events.registry import topic_for


def envelope_headers(envelope: Envelope) -> dict[str, str]:
    """Routing fields repeated as Kafka headers (so a consumer can route or skip without parsing the value),
    plus the W3C trace context of the transaction that produced the event."""
    headers = {
        "event_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "schema_version": str(envelope.schema_version),
        "tenant_id": envelope.tenant_id,
        "correlation_id": str(envelope.correlation_id),
        "producer": envelope.producer,
        "content-type": "application/json",
    }
    if envelope.sealed is not None and envelope.episode_id is not None:
        headers["episode_id"] = str(envelope.episode_id)  # which key: read before the value (episode_keys.Opener)
    propagate.inject(headers)
    return headers


class Outbox:
    """Adds events to a service's outbox table inside the caller's transaction; with a `sealer`, the events about
    an episode are sealed under its key as they are written (`events/sealing.py`)."""

    def __init__(self, schema: str, sealer: Sealer | None = None) -> None:
        self.schema, self.sealer = schema, sealer
        self.table = f"{schema}.outbox"
        # The ids are taken in the events' order (ORDER BY the ordinality): the relay publishes by id, and a key's
        # events must reach Kafka in the order they were produced.
        self._insert_many = (
            f"INSERT INTO {self.table} (event_id, topic, message_key, payload, headers) "
            "SELECT e.event_id, e.topic, e.message_key, e.payload, e.headers FROM unnest($1::uuid[], $2::text[], "
            "$3::text[], $4::bytea[], $5::jsonb[]) WITH ORDINALITY AS e (event_id, topic, message_key, payload, "
            "headers, n) ORDER BY e.n"
        )

    async def add_tombstone(self, conn: Connection, topic: str, message_key: str) -> None:
        """A record with no value for `message_key` on a compacted topic: compaction then removes every record with
        that key (the relay publishes an empty payload as no value)."""
        if not conn.is_in_transaction():
            raise RuntimeError("outbox rows must be written in the transaction of the change they announce")
        await conn.execute(
            f"INSERT INTO {self.table} (event_id, topic, message_key, payload) VALUES ($1, $2, $3, '')",
            uuid4(),
            topic,
            message_key,
        )

    async def add(self, conn: Connection, *envelopes: Envelope) -> None:
        await self.add_many(conn, envelopes)

    async def add_many(self, conn: Connection, envelopes: Iterable[Envelope], read: EpisodesRead | None = None) -> None:
        """One statement for any number of events (where one execution per row ran the statement, its statement
        trigger and its NOTIFY once per event: a consumer's batch of analytics events wrote dozens)."""
        rows = await self.rows(conn, envelopes, read)
        if rows:
            await conn.execute(self._insert_many, *(list(column) for column in zip(*rows, strict=True)))

    async def rows(
        self,
        conn: Connection,
        envelopes: Iterable[Envelope],
        read: EpisodesRead | None = None,
        *,
        one_statement: bool = False,
    ) -> list[tuple[Any, ...]]:
        """The outbox rows of `envelopes` (event id, topic, key, payload, headers), to be written on `conn`, which
        must be in the transaction of the change they announce (or, `one_statement`, written by the one statement
        that makes the change: its own transaction); sealed first, with a sealer (`read`: the episodes and keys the
        command has read already)."""
        if not (one_statement or conn.is_in_transaction()):
            raise RuntimeError("outbox rows must be written in the transaction of the change they announce")
        if self.sealer is not None:
            envelopes = await self.sealer.seal_all(conn, envelopes, read)
        return [
            (
                e.event_id,
                topic_for(e.event_type),
                e.partition_key,
                e.to_bytes(),
                json.dumps(envelope_headers(e)),
            )
            for e in envelopes
        ]
