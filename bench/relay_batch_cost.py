"""What one relay batch costs PostgreSQL and the relay's process, the relay as it is against the way it was, in turns.

    uv run python bench/relay_batch_cost.py [--batches 2000] [--rows 4] [--rounds 3] [--listeners 4] [--kept 0]

Starts a PostgreSQL of its own with two outboxes: one as the services' migrations now leave it (the unsent rows in
`outbox_unsent`), one as they left it at `5f87f1d` (partial indexes on the outbox's unsent rows). In turns, a writer
commits `--rows` rows to one (as one API write's transaction would, the trigger's NOTIFY and all), then a relay
takes them as one batch: either `OutboxRelay.relay_once` as it is (BEGIN; the claim from `outbox_unsent`; the rows
out of it, marked sent and committed in one message, not waiting for the WAL flush), or the way it was (BEGIN, the
claim through the partial indexes, UPDATE, COMMIT). The producer acknowledges at once (no Kafka: the batch's
database work alone). Sent rows are kept, as the services keep them for a day, so each round starts with more of
them; with `--kept`, each outbox starts with that many sent rows and no autovacuum of the outbox (a big table is
vacuumed only after a fifth of its rows changed). Measured from /proc: the CPU of the server's processes less the
writer's backend (the relay's backend and what its commits cost the WAL writer), the writer's backend (its insert,
the outbox's triggers, its commit), of this process (the relay and the writer's client), per batch.

With `--listeners`, each notifying commit of the writer (the outbox's trigger) is also heard by that many LISTENing
connections on other channels, as every service's relay listens in a shared database: their backends' CPU per
commit is printed too (PostgreSQL signals every listener of the database on every notifying commit, whatever the
channel). Results go to docs/benchmarks.md.
"""

import asyncio
import json
import os
import resource
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import typer

from accord.devtools.infra import postgres
from accord.shared.outbox.ddl import messaging_tables_ddl, outbox_and_inbox_ddl
from accord.shared.outbox.relay import OutboxRelay

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def server_cpu(master: int) -> float:
    """Every process of this PostgreSQL (the postmaster's children: backends, WAL writer, checkpointer...)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master or int(stat.parent.name) == master:
                total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, ValueError):
            continue
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Acked:
    """A producer whose every send is acknowledged at once."""

    async def send(self, *args: Any, **kwargs: Any) -> "asyncio.Future[None]":
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


_CLAIM_AS_IT_WAS = """
WITH claimed AS (
    SELECT id, message_key FROM {table} WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
)
SELECT o.id, o.topic, o.message_key, o.payload, o.headers, o.created_at
FROM {table} o JOIN claimed c ON c.id = o.id
WHERE NOT EXISTS (
    SELECT 1 FROM {table} e
    WHERE e.message_key = c.message_key AND e.sent_at IS NULL AND e.id < c.id AND e.id NOT IN (SELECT id FROM claimed)
)
ORDER BY o.id
"""


class TheWayItWas(OutboxRelay):
    """The relay's batch before this branch (`5f87f1d`): claimed through the outbox's partial indexes on its unsent
    rows, in a transaction around the claim and a prepared UPDATE (BEGIN, claim, UPDATE, COMMIT)."""

    async def relay_once(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM_AS_IT_WAS.format(table=self.table), self.batch_size)
            if not rows:
                return 0
            await asyncio.gather(*[await self.producer.send(r["topic"], value=r["payload"]) for r in rows])
            await conn.execute(
                f"UPDATE {self.table} SET sent_at = clock_timestamp(), attempts = attempts + 1 "
                "WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
            )
        return len(rows)


async def one_round(
    url: str, master: int, relay: OutboxRelay, writer: asyncpg.Connection, batches: int, rows: int
) -> dict[str, float]:
    insert = (
        f"INSERT INTO {relay.table} (event_id, topic, message_key, payload, headers) "
        "SELECT gen_random_uuid(), 'accord.progress.v1', $1, '\\x00', $2::jsonb FROM generate_series(1, $3)"
    )
    headers = json.dumps({"event_type": "GoalRatingRecorded"})
    keys = [str(uuid4()) for _ in range(40)]
    relay_time = 0.0
    server_before, own_before = server_cpu(master), own_cpu()
    writer_before = cpu_of(writer.get_server_pid())
    for i in range(batches):
        await writer.execute(insert, keys[i % len(keys)], headers, rows)
        began = time.perf_counter()
        assert await relay.relay_once() == rows
        relay_time += time.perf_counter() - began
    server = server_cpu(master) - server_before
    writer_cpu = cpu_of(writer.get_server_pid()) - writer_before
    return {
        "server_ms_per_batch_less_writer": round((server - writer_cpu) * 1000 / batches, 4),
        "writer_backend_ms_per_write": round(writer_cpu * 1000 / batches, 4),
        "relay_wall_ms_per_batch": round(relay_time * 1000 / batches, 4),
        "process_ms_per_batch": round((own_cpu() - own_before) * 1000 / batches, 4),
    }


async def listeners_cost(url: str, listeners: int, commits: int) -> dict[str, float]:
    """CPU of `listeners` LISTENing backends (each on a channel of its own, none the writer's) per notifying commit."""
    conns = [await asyncpg.connect(url) for _ in range(listeners)]
    for n, conn in enumerate(conns):
        await conn.add_listener(f"elsewhere_{n}", lambda *_: None)
    writer = await asyncpg.connect(url)
    pids = [c.get_server_pid() for c in conns]
    try:
        result = {}
        for label, statement in (
            ("quiet commit", "INSERT INTO bench.quiet VALUES (1)"),
            ("notifying commit", "SELECT pg_notify('bench_outbox', '')"),
        ):
            before = sum(cpu_of(p) for p in pids)
            for _ in range(commits):
                async with writer.transaction():
                    await writer.execute(statement)
                await asyncio.sleep(0.002)  # as commits come from requests, not back to back
            result[f"listeners_ms_per_{label.replace(' ', '_')}"] = round(
                (sum(cpu_of(p) for p in pids) - before) * 1000 / commits, 4
            )
        return result
    finally:
        for conn in [*conns, writer]:
            await conn.close()


async def measure(url: str, master: int, batches: int, rows: int, rounds: int, listeners: int, kept: int) -> None:
    setup = await asyncpg.connect(url)
    for schema, ddl in (("bench", messaging_tables_ddl("bench")), ("was", outbox_and_inbox_ddl("was"))):
        await setup.execute(f"CREATE SCHEMA {schema}")  # each relay its own outbox, as the services' DDL makes it
        for statement in ddl:
            await setup.execute(statement)
    await setup.execute("CREATE TABLE bench.quiet (n int)")
    if kept:
        # A day of a service's sent rows, kept: the outboxes are big, so autovacuum comes only after a fifth of their
        # rows have changed (hours); emulated by turning it off for them (the unsent rows' table keeps it).
        fill = (
            "INSERT INTO {0}.outbox (event_id, topic, message_key, payload, headers) "
            "SELECT gen_random_uuid(), 'accord.progress.v1', (i % 1000)::text, '\\x00', '{{}}' "
            "FROM generate_series(1, $1) i"
        )
        for schema in ("bench", "was"):
            await setup.execute(f"ALTER TABLE {schema}.outbox SET (autovacuum_enabled = off)")
            await setup.execute(fill.format(schema), kept)
            await setup.execute(f"VACUUM ANALYZE {schema}.outbox")
        for low in range(1, kept + 1, 1000):  # marked sent in batches, as each relay marks them
            ids = list(range(low, min(low + 1000, kept + 1)))
            await setup.execute("DELETE FROM bench.outbox_unsent WHERE id = ANY($1::bigint[])", ids)
            for schema in ("bench", "was"):
                await setup.execute(f"UPDATE {schema}.outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", ids)
    await setup.close()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    writer = await asyncpg.connect(url)
    relays = {
        "as it is": OutboxRelay(service="bench", schema="bench", pool=pool, producer=Acked()),  # type: ignore[arg-type]
        "as it was": TheWayItWas(service="bench", schema="was", pool=pool, producer=Acked()),  # type: ignore[arg-type]
    }
    for relay in relays.values():  # warmed: statements prepared, caches filled
        await one_round(url, master, relay, writer, 200, rows)
    for n in range(1, rounds + 1):
        for label, relay in relays.items():
            measured = await one_round(url, master, relay, writer, batches, rows)
            kept = await writer.fetchval(f"SELECT count(*) FROM {relay.table} WHERE sent_at IS NOT NULL")
            print(json.dumps({"round": n, "relay": label, "sent_rows_kept": kept, **measured}))
    await writer.close()
    await pool.close()
    if listeners:
        print(json.dumps({"listeners": listeners, **await listeners_cost(url, listeners, batches)}))


def main(
    batches: int = typer.Option(2000, min=1),
    rows: int = typer.Option(4, min=1),
    rounds: int = typer.Option(3, min=1),
    listeners: int = typer.Option(4, min=0),
    kept: int = typer.Option(0, min=0, help="sent rows in each outbox before the first round"),
) -> None:
    home = Path(tempfile.mkdtemp(prefix="relay-", dir=ROOT / ".accord"))
    database = postgres.start(home / "postgres", secrets.token_urlsafe(24))
    try:
        asyncio.run(measure(database.admin_url, database.pid, batches, rows, rounds, listeners, kept))
    finally:
        postgres.stop(database.data)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
