"""A poison message: a record on a domain topic that no consumer can decode. Slipped into the outbox beside the
events (marked with a `poison` header, so the campaign's counts can tell it apart), it must end in every consuming
group's dead-letter topic once, and hold up nothing behind it."""

import json
from uuid import UUID, uuid4

from accord.shared.db import Connection


async def add(conn: Connection, schema: str, topic: str, client: UUID) -> UUID:
    event_id = uuid4()
    await conn.execute(
        f"INSERT INTO {schema}.outbox (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5)",
        event_id,
        topic,
        str(client),
        b"{not an event",
        json.dumps({"event_id": str(event_id), "poison": "true"}),
    )
    return event_id
