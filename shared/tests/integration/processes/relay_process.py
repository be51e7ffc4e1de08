"""An outbox relay in a process of its own, so a test can kill -9 it mid-batch."""

import asyncio
import os
import signal

import asyncpg

from accord.shared.kafka import new_producer
from accord.shared.outbox import OutboxRelay


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["DSN"], min_size=1, max_size=3)
    producer = new_producer(os.environ["BOOTSTRAP"], "test-relay")
    await producer.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    relay = OutboxRelay(
        service="test",
        schema=os.environ["SCHEMA"],
        pool=pool,
        producer=producer,
        poll_interval=0.2,
        batch_size=int(os.environ.get("BATCH", "1000")),
    )
    try:
        await relay.run(stop)
    finally:
        await producer.stop()
        await pool.close()


asyncio.run(main())
