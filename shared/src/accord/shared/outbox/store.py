import json
from collections.abc import Iterable
from typing import Any

from opentelemetry import propagate

from accord.shared.db import Connection
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
    propagate.inject(headers)
    return headers


class Outbox:
    """Adds events to a service's outbox table inside the caller's transaction."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.table = f"{schema}.outbox"

    async def add(self, conn: Connection, *envelopes: Envelope) -> None:
        await self.add_many(conn, envelopes)

    async def add_many(self, conn: Connection, envelopes: Iterable[Envelope]) -> None:
        rows = self.rows(conn, envelopes)
        if rows:
            await conn.executemany(
                f"INSERT INTO {self.table} (event_id, topic, message_key, payload, headers) "
                "VALUES ($1, $2, $3, $4, $5::jsonb)",
                rows,
            )

    def rows(self, conn: Connection, envelopes: Iterable[Envelope]) -> list[tuple[Any, ...]]:
        """The outbox rows of `envelopes` (event id, topic, key, payload, headers), to be written on `conn`, which
        must be in the transaction of the change they announce."""
        if not conn.is_in_transaction():
            raise RuntimeError("outbox rows must be written in the transaction of the change they announce")
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
