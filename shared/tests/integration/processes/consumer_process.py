"""An idempotent consumer (faststream batch subscriber) in a process of its own, so a test can kill -9 it
between its database commit and its offset commit. Its effect: one row in <schema>.effects per event, written one
event at a time, or with BATCHED=1 by a batch effect (one insert of the batch's rows)."""

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

import asyncpg
from faststream.kafka import KafkaBroker

from accord.shared.events import Envelope
from accord.shared.inbox import BatchEffect, Delivered, IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer


async def main() -> None:
    schema = os.environ["SCHEMA"]
    pool = await asyncpg.create_pool(os.environ["DSN"], min_size=1, max_size=3)
    producer = new_producer(os.environ["BOOTSTRAP"], "test-consumer")
    await producer.start()

    async def record_effect(conn: asyncpg.Connection, envelope: Envelope, event: object) -> None:
        await conn.execute(f"INSERT INTO {schema}.effects (event_id) VALUES ($1)", envelope.event_id)

    async def record_effects(conn: asyncpg.Connection, delivered: Sequence[Delivered]) -> None:
        ids = [d.envelope.event_id for d in delivered]
        await conn.execute(f"INSERT INTO {schema}.effects (event_id) SELECT unnest($1::uuid[])", ids)

    consumer = IdempotentConsumer(
        service="test",
        schema=schema,
        pool=pool,
        producer=producer,
        handlers={"GoalPaused": BatchEffect(record_effects) if os.environ.get("BATCHED") else record_effect},
        group_id=os.environ["GROUP"],
        dead_letters_to=os.environ["DLQ"],
    )
    broker = KafkaBroker(os.environ["BOOTSTRAP"], logger=None)
    subscribe(broker, consumer, [os.environ["TOPIC"]], max_records=int(os.environ.get("MAX_RECORDS", "50")))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await broker.start()
    print("CONSUMER-STARTED", file=sys.stderr, flush=True)
    await stop.wait()
    await broker.stop()
    await producer.stop()
    await pool.close()


asyncio.run(main())
