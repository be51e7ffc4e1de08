"""Event backbone benchmark: raw aiokafka as the baseline, then the outbox relay and the inbox consumer.

    uv run python bench/backbone.py [--events 50000] [--steady-rate 3000] [--steady-seconds 10]

Starts its own Kafka and PostgreSQL (or uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL), prints a table and writes
bench/results/backbone.json. Not a test: numbers go to docs/benchmarks.md with the machine they came from.
"""

import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.testing import create_topic, goal_paused, partitions_of
from accord.shared.events import Envelope
from accord.shared.inbox import BatchEffect, Delivered, IdempotentConsumer, subscribe
from accord.shared.kafka import new_producer
from accord.shared.outbox import Outbox, OutboxRelay
from accord.shared.outbox.ddl import messaging_tables_ddl
from accord.shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)
CLIENTS = [uuid.uuid4() for _ in range(1000)]


def envelopes(n: int) -> list[Envelope]:
    return [goal_paused(CLIENTS[i % len(CLIENTS)]) for i in range(n)]


async def raw_produce(bootstrap: str, topic: str, batch: list[Envelope]) -> float:
    producer = new_producer(bootstrap, "bench")
    await producer.start()
    try:
        start = time.perf_counter()
        acks = [await producer.send(topic, e.to_bytes(), key=e.partition_key.encode()) for e in batch]
        await asyncio.gather(*acks)
        return len(batch) / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def raw_consume(bootstrap: str, topic: str, n: int) -> float:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, start = 0, time.perf_counter()
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batch.values():
                for r in records:
                    Envelope.from_bytes(r.value)  # decode, as every real consumer does
                seen += sum(len(r) for r in batch.values())
        return n / (time.perf_counter() - start)
    finally:
        await consumer.stop()


async def fill_outbox(pool: asyncpg.Pool, schema: str, batch: list[Envelope], per_tx: int = 100) -> None:
    outbox = Outbox(schema)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("filling the outbox", total=len(batch))
        for i in range(0, len(batch), per_tx):
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add_many(conn, batch[i : i + per_tx])
            progress.advance(task, per_tx)


async def relay_drain(pool: asyncpg.Pool, schema: str, bootstrap: str, n: int) -> float:
    producer = new_producer(bootstrap, "bench-relay")
    await producer.start()
    relay = OutboxRelay(service="bench", schema=schema, pool=pool, producer=producer, observe_lag=lambda _: None)
    try:
        published, start = 0, time.perf_counter()
        while published < n:
            published += await relay.relay_once()
        return n / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def relay_steady(pool: asyncpg.Pool, schema: str, bootstrap: str, rate: int, seconds: float) -> dict[str, Any]:
    """Business transactions of 10 events each at `rate` events/s while the relay runs as in production."""
    lags: list[float] = []
    producer = new_producer(bootstrap, "bench-relay")
    await producer.start()
    relay = OutboxRelay(
        service="bench",
        schema=schema,
        pool=pool,
        producer=producer,
        observe_lag=lags.append,
        # as the workers run it
        gather_seconds=ServiceSettings.model_fields["outbox_gather_ms"].default / 1000,
        gather_rows=ServiceSettings.model_fields["outbox_gather_rows"].default,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    outbox, per_tx = Outbox(schema), 10
    interval, sent, start = per_tx / rate, 0, time.perf_counter()
    try:
        while time.perf_counter() - start < seconds:
            async with pool.acquire() as conn, conn.transaction():
                await outbox.add_many(conn, envelopes(per_tx))
            sent += per_tx
            delay = start + sent / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(min(delay, interval))
        elapsed = time.perf_counter() - start
        while len(lags) < sent:  # the last transactions' events are still on their way
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
        await producer.stop()
    quantiles = statistics.quantiles(lags, n=100)
    return {
        "offered_per_s": sent / elapsed,
        "events": sent,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "max_ms": max(lags) * 1000,
    }


async def inbox_consume(
    pool: asyncpg.Pool, schema: str, bootstrap: str, topic: str, n: int, *, batched: bool
) -> dict[str, float]:
    """Events/s from the consumer's start (group join included) and from its first effect (steady state). The effect
    is one INSERT per event, or (`batched`) one INSERT of the batch's rows through a `BatchEffect`."""
    table = f"{schema}.effects_{'batched' if batched else 'per_event'}"
    await pool.execute(f"CREATE TABLE {table} (event_id uuid PRIMARY KEY)")
    producer = new_producer(bootstrap, "bench-dlq")
    await producer.start()

    async def effect(conn: Any, envelope: Envelope, event: Any) -> None:
        await conn.execute(f"INSERT INTO {table} (event_id) VALUES ($1)", envelope.event_id)

    async def effects(conn: Any, delivered: Sequence[Delivered]) -> None:
        await conn.execute(
            f"INSERT INTO {table} (event_id) SELECT unnest($1::uuid[])", [d.envelope.event_id for d in delivered]
        )

    consumer = IdempotentConsumer(
        service="bench",
        schema=schema,
        pool=pool,
        producer=producer,
        handlers={"GoalPaused": BatchEffect(effects) if batched else effect},
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        dead_letters_to=topic,
    )
    broker = KafkaBroker(bootstrap, logger=None)
    subscribe(broker, consumer, [topic], max_records=500)
    start = time.perf_counter()
    first: tuple[float, int] | None = None
    await broker.start()
    try:
        while (done := await pool.fetchval(f"SELECT count(*) FROM {table}")) < n:
            if first is None and done:
                first = (time.perf_counter(), done)
            await asyncio.sleep(0.05)
        end = time.perf_counter()
        assert first is not None
        return {"from_start_per_s": n / (end - start), "steady_per_s": (n - first[1]) / (end - first[0])}
    finally:
        await broker.stop()
        await producer.stop()


async def idle_hop(
    pool: asyncpg.Pool, schema: str, bootstrap: str, samples: int, spacing: float, *, as_before: bool
) -> dict[str, float]:
    """One event at a time on an otherwise idle backbone: from just before the business transaction that adds it to
    the outbox, to its effect in a consumer's inbox transaction (relay → Kafka → consumer, the hop between an entry
    and its celebration in the inbox). `as_before`: the settings before issue 19 (relay always gathering 10 ms,
    producer linger 5 ms, fetches held for 32 KiB or 100 ms, faststream's 200 ms idle poll, no consumer pause) in the
    same run."""
    hop = f"{schema}_hop_{'before' if as_before else 'now'}"
    await pool.execute(f"CREATE SCHEMA {hop}")
    for statement in messaging_tables_ddl(hop):
        await pool.execute(statement)
    topic = f"bench.hop.{uuid.uuid4().hex[:6]}"
    await create_topic(bootstrap, topic, partitions=12)
    if as_before:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    else:
        producer = new_producer(bootstrap, "bench-hop")
    await producer.start()
    relay = OutboxRelay(
        service="bench",
        schema=hop,
        pool=pool,
        producer=producer,
        gather_seconds=0.010,
        busy_within_seconds=float("inf") if as_before else 0.25,  # before, every wake-up gathered
    )
    applied: dict[uuid.UUID, float] = {}

    async def effect(conn: Any, envelope: Envelope, event: Any) -> None:
        applied[envelope.event_id] = time.perf_counter()  # the inbox transaction commits right after

    consumer = IdempotentConsumer(
        service="bench",
        schema=hop,
        pool=pool,
        producer=producer,
        handlers={"GoalPaused": effect},
        group_id=f"bench-hop-{uuid.uuid4().hex[:6]}",
        dead_letters_to=topic,
    )
    broker = KafkaBroker(bootstrap, logger=None)
    defaults = ServiceSettings.model_fields
    if as_before:
        subscribe(broker, consumer, [topic], fetch_min_bytes=32 * 1024, fetch_max_wait_ms=100, idle_poll_ms=200)
    else:
        subscribe(
            broker,
            consumer,
            [topic],
            fetch_min_bytes=defaults["consumer_fetch_min_bytes"].default,
            fetch_max_wait_ms=defaults["consumer_fetch_max_wait_ms"].default,
            gather_ms=defaults["consumer_gather_ms"].default,
            idle_poll_ms=defaults["consumer_idle_poll_ms"].default,
            commit_interval_ms=defaults["consumer_commit_interval_ms"].default,
        )
    stop = asyncio.Event()
    await broker.start()
    task = asyncio.create_task(relay.run(stop))
    latencies: list[float] = []
    try:
        await asyncio.sleep(2)  # the group has joined and every loop waits
        for envelope in envelopes(samples):
            start = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    f"INSERT INTO {hop}.outbox (event_id, topic, message_key, payload) VALUES ($1, $2, $3, $4)",
                    envelope.event_id,
                    topic,
                    envelope.partition_key,
                    envelope.to_bytes(),
                )
            while envelope.event_id not in applied:
                await asyncio.sleep(0.001)
            latencies.append(applied[envelope.event_id] - start)
            await asyncio.sleep(spacing)
    finally:
        stop.set()
        await task
        await broker.stop()
        await producer.stop()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "samples": samples,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "max_ms": max(latencies) * 1000,
    }


async def run(
    infra: stack.Infra, events: int, rate: int, seconds: float, hop_samples: int, latency_only: bool
) -> dict[str, Any]:
    bootstrap = infra.bootstrap_servers
    topic = f"bench.{uuid.uuid4().hex[:6]}"
    await create_topic(bootstrap, topic, partitions=12)
    schema = f"bench_{uuid.uuid4().hex[:6]}"
    pool = await asyncpg.create_pool(infra.admin_url.rsplit("/", 1)[0] + "/accord", min_size=2, max_size=10)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(f"CREATE SCHEMA {schema}")
        for statement in messaging_tables_ddl(schema):
            await conn.execute(statement)
    results: dict[str, Any] = {}
    for as_before in (True, False):
        name = "idle_hop_before" if as_before else "idle_hop_now"
        with console.status(f"one event at a time, outbox to inbox ({name})"):
            results[name] = await idle_hop(pool, schema, bootstrap, hop_samples, 0.3, as_before=as_before)
    if latency_only:
        await pool.close()
        return results
    batch = envelopes(events)
    with console.status("raw aiokafka produce"):
        results["raw_produce_per_s"] = await raw_produce(bootstrap, topic, batch)
    with console.status("raw aiokafka consume"):
        results["raw_consume_per_s"] = await raw_consume(bootstrap, topic, events)
    await fill_outbox(pool, schema, batch)
    with console.status("outbox relay, draining a backlog"):
        results["relay_drain_per_s"] = await relay_drain(pool, schema, bootstrap, events)
    with console.status(f"outbox relay at a steady {rate} events/s for {seconds:.0f}s"):
        results["relay_steady"] = await relay_steady(pool, schema, bootstrap, rate, seconds)
    with console.status("consumer with inbox, an effect per event"):
        results["inbox_consume_per_s"] = await inbox_consume(pool, schema, bootstrap, topic, events, batched=False)
    with console.status("consumer with inbox, a batch effect"):
        results["inbox_batched_per_s"] = await inbox_consume(pool, schema, bootstrap, topic, events, batched=True)
    await pool.close()
    return results


@app.command()
def main(
    events: int = 50_000,
    steady_rate: int = 3000,
    steady_seconds: float = 10.0,
    hop_samples: int = 100,
    latency_only: bool = False,
) -> None:
    home = ROOT / ".accord" / "bench" / str(os.getpid())
    with console.status("starting Kafka and PostgreSQL"), stack.running(home) as infra:
        pass_infra = infra
        results = asyncio.run(run(pass_infra, events, steady_rate, steady_seconds, hop_samples, latency_only))
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    results["events"] = events
    results["load_average"] = os.getloadavg()
    table = Table("measure", "result", "vs raw aiokafka", "target")
    for name, when in (("idle_hop_before", "settings before"), ("idle_hop_now", "settings now")):
        hop = results[name]
        table.add_row(
            f"idle, outbox commit to inbox effect, {when}, p50 / p99 ({hop['samples']} events)",
            f"{hop['p50_ms']:.1f} / {hop['p99_ms']:.1f} ms",
            "",
            "",
        )
    if latency_only:
        console.print(table)
        (ROOT / "bench" / "results" / "backbone_latency.json").write_text(json.dumps(results, indent=2))
        return
    produce, consume = results["raw_produce_per_s"], results["raw_consume_per_s"]
    steady = results["relay_steady"]
    table.add_row("raw aiokafka produce (acks=all, idempotent)", f"{produce:,.0f} ev/s", "1.00", "")
    table.add_row("raw aiokafka consume (+ JSON decode)", f"{consume:,.0f} ev/s", "1.00", "")
    table.add_row(
        "outbox relay, draining a backlog",
        f"{results['relay_drain_per_s']:,.0f} ev/s",
        f"{results['relay_drain_per_s'] / produce:.2f}",
        ">= 5,000 ev/s",
    )
    table.add_row(
        f"publish lag at {steady['offered_per_s']:,.0f} ev/s, p50 / p99",
        f"{steady['p50_ms']:.1f} / {steady['p99_ms']:.1f} ms",
        "",
        "p99 < 100 ms",
    )
    inbox = results["inbox_consume_per_s"]
    for key, effect in (("inbox_consume_per_s", "one INSERT per event"), ("inbox_batched_per_s", "a batch effect")):
        inbox = results[key]
        table.add_row(
            f"consumer with inbox, {effect}, from start (group join included)",
            f"{inbox['from_start_per_s']:,.0f} ev/s",
            f"{inbox['from_start_per_s'] / consume:.2f}",
            ">= 8,000 ev/s",
        )
        table.add_row(
            f"consumer with inbox, {effect}, steady state",
            f"{inbox['steady_per_s']:,.0f} ev/s",
            f"{inbox['steady_per_s'] / consume:.2f}",
            ">= 8,000 ev/s",
        )
    console.print(table)
    out = ROOT / "bench" / "results" / "backbone.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    app()
