"""What a PostgreSQL round trip, a commit and an outbox NOTIFY cost in CPU, the server's and the client's.

    uv run python bench/round_trip_cost.py [--calls 5000] [--rounds 3] [--listeners 4]

Starts a PostgreSQL cluster of its own (the tests' and the local stack's settings) and, on one asyncpg connection,
runs each shape `--calls` times in a row, `--rounds` times, reading the CPU of that connection's backend and of
this process from /proc:

- `SELECT 1`: a prepared statement's round trip, nothing written;
- an INSERT of one row on its own (one round trip, its own commit);
- BEGIN, the same INSERT, COMMIT (three round trips, one commit);
- the INSERT on its own into a table with a statement trigger that sends a NOTIFY, as every service's outbox has,
  while `--listeners` other connections LISTEN on channels of their own (one per service's relay, all in one
  database, as the local stack has them): their backends' CPU per commit is printed too.

What it answers: whether a write's PostgreSQL CPU goes in round trips, in commits, or in waking the listeners.
Results go to docs/benchmarks.md. Not a test.
"""

import asyncio
import time
from typing import Annotated

import asyncpg
import psutil
import typer

from accord.devtools.infra import postgres

SETUP = [
    "CREATE TABLE plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)",
    "CREATE TABLE notifying (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)",
    """CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify('bench_outbox', ''); RETURN NULL; END $$""",
    "CREATE TRIGGER notifying_notify AFTER INSERT ON notifying FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()",
]


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def shapes(conn: asyncpg.Connection) -> dict[str, object]:
    select = await conn.prepare("SELECT 1")
    insert = await conn.prepare("INSERT INTO plain (v) VALUES ($1)")
    notifying = await conn.prepare("INSERT INTO notifying (v) VALUES ($1)")

    async def select_one() -> None:
        await select.fetchval()

    async def insert_alone() -> None:
        await insert.fetch("x")

    async def insert_in_transaction() -> None:
        async with conn.transaction():
            await insert.fetch("x")

    async def insert_notifying() -> None:
        await notifying.fetch("x")

    return {
        "SELECT 1 (one round trip)": select_one,
        "INSERT alone (one round trip, its commit)": insert_alone,
        "BEGIN, INSERT, COMMIT (three round trips, one commit)": insert_in_transaction,
        "INSERT alone, its NOTIFY to the listeners": insert_notifying,
    }


async def measure(url: str, calls: int, rounds: int, listeners: int) -> None:
    admin = await asyncpg.connect(url)
    for statement in SETUP:
        await admin.execute(statement)
    conn = await asyncpg.connect(url)
    listening = [await asyncpg.connect(url) for _ in range(listeners)]
    for i, listener in enumerate(listening):
        # Each on its own channel, as each service's relay listens on its own outbox's.
        await listener.add_listener(f"bench_other_{i}", lambda *_: None)
    try:
        backend = psutil.Process(await conn.fetchval("SELECT pg_backend_pid()"))
        others = [psutil.Process(await c.fetchval("SELECT pg_backend_pid()")) for c in listening]
        me = psutil.Process()
        runs = await shapes(conn)
        for round_ in range(1, rounds + 1):
            for name, run in runs.items():
                server, client = cpu(backend), cpu(me)
                woken = sum(cpu(p) for p in others)
                start = time.perf_counter()
                for _ in range(calls):
                    await run()  # type: ignore[operator]
                wall = time.perf_counter() - start
                print(
                    f"round {round_}, {name}: server {1e6 * (cpu(backend) - server) / calls:.1f} µs, client "
                    f"{1e6 * (cpu(me) - client) / calls:.1f} µs, the {listeners} listeners' backends "
                    f"{1e6 * (sum(cpu(p) for p in others) - woken) / calls:.1f} µs a call; wall "
                    f"{1e6 * wall / calls:.0f} µs",
                    flush=True,
                )
    finally:
        for c in [conn, admin, *listening]:
            await c.close()


def main(
    calls: Annotated[int, typer.Option(help="calls of each shape a round")] = 5000,
    rounds: Annotated[int, typer.Option(help="rounds (the first includes warming up)")] = 3,
    listeners: Annotated[int, typer.Option(help="other connections listening on channels of their own")] = 4,
) -> None:
    with postgres.throwaway("accord-bench-round-trips-") as server:
        asyncio.run(measure(server.admin_url, calls, rounds, listeners))


if __name__ == "__main__":
    typer.run(main)
