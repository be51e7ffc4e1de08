"""How many fetch requests a consumer that gathers its batches sends, with and without pausing its partitions while
it gathers.

    uv run python bench/consumer_fetches.py [--seconds 8] [--rate 100] [--rounds 2]

Starts a Kafka broker of its own (the tests' and the local stack's settings) and a topic of 12 partitions (as
accord.progress.v1), produces `--rate` events a second under random keys, and reads them the way the services'
subscriber does (inbox/subscriber.py): a batch, then, while events flow, a pause of the default
`consumer_gather_ms` before the next. It counts the fetch requests the consumer's client sends, alternately with
the partitions left fetching during the pause (as today) and paused for it. Results go to docs/benchmarks.md. Not a
test.
"""

import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from accord.devtools.infra import kafka
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.stack import CACHE
from accord.devtools.testing import create_topic
from accord.shared.settings import ServiceSettings

PARTITIONS = 12
GATHER_SECONDS = ServiceSettings.model_fields["consumer_gather_ms"].default / 1000
BUSY_WITHIN_SECONDS = 0.25  # as inbox/subscriber.py


async def one_run(bootstrap: str, seconds: float, rate: int, pause: bool) -> dict[str, float]:
    topic = f"bench.fetches.{uuid.uuid4().hex[:8]}"
    await create_topic(bootstrap, topic, partitions=PARTITIONS)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=topic, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await producer.start()
    await consumer.start()
    fetches = 0
    send = consumer._client.send  # counted here: aiokafka keeps no count of its own

    async def counted(node_id: int, request: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal fetches
        fetches += type(request).__name__.startswith("FetchRequest")
        return await send(node_id, request, *args, **kwargs)

    consumer._client.send = counted
    flowing = True

    async def produce() -> None:
        while flowing:
            await producer.send(topic, key=uuid.uuid4().bytes, value=b"x" * 600)
            await asyncio.sleep(1 / rate)

    producing = asyncio.create_task(produce())
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        await asyncio.sleep(1)
        fetches, events, batches, last, start = 0, 0, 0, -1.0, time.monotonic()
        while time.monotonic() - start < seconds:
            got = sum(len(r) for r in (await consumer.getmany(timeout_ms=20, max_records=500)).values())
            if not got:
                await asyncio.sleep(0.02)  # as faststream's batch subscriber after an empty look
                continue
            events, batches = events + got, batches + 1
            now = time.monotonic()
            busy, last = now - last < BUSY_WITHIN_SECONDS, now
            if busy and pause:
                assigned = consumer.assignment()
                consumer.pause(*assigned)
                await asyncio.sleep(GATHER_SECONDS)
                consumer.resume(*(consumer.paused() & assigned))
            elif busy:
                await asyncio.sleep(GATHER_SECONDS)
        return {"events": events, "batches": batches, "fetches": fetches}
    finally:
        flowing = False
        await producing
        await consumer.stop()
        await producer.stop()


async def measure(bootstrap: str, seconds: float, rate: int, rounds: int) -> None:
    for round_ in range(1, rounds + 1):
        for pause in (False, True):
            r = await one_run(bootstrap, seconds, rate, pause)
            print(
                f"round {round_}, partitions {'paused' if pause else 'fetching'} during the gather: {r['events']} "
                f"events in {r['batches']} batches, {r['fetches']} fetch requests "
                f"({r['fetches'] / r['batches']:.1f} a batch, {r['fetches'] / r['events']:.3f} an event)",
                flush=True,
            )


def main(
    seconds: Annotated[float, typer.Option(help="seconds measured in each run")] = 8.0,
    rate: Annotated[int, typer.Option(help="events a second")] = 100,
    rounds: Annotated[int, typer.Option(help="pairs of runs (fetching, paused)")] = 2,
) -> None:
    home = Path(tempfile.mkdtemp(prefix="accord-fetches-"))
    broker = kafka.start(home / "kafka", CACHE)
    try:
        asyncio.run(measure(broker.bootstrap_servers, seconds, rate, rounds))
    finally:
        terminate(broker.pid)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
