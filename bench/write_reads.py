"""What PostgreSQL spends on an entry write's reads after the goal's lock: the entry stored under the request's id and
the goal's ledger, as two statements (as `main` at 5f87f1d sent them) and as the one statement of
`Repository.entries_and_ledgers` (its one-entry form, and the array form batches use).

    uv run python bench/write_reads.py [--executions 2000] [--goals 40] [--entries-per-goal 200]

Starts a PostgreSQL of its own with the progress schema's `entries` and `decisions` (the service's own migrations),
fills `--goals` goals with `--entries-per-goal` rating entries each and half of them with a decision, then runs each
form `--executions` times as prepared statements on one connection (a random goal and a new entry id each time, as
a write sends), once on fresh tables and once after ANALYZE. For each: the backend's CPU per execution (from
/proc/<pid>/stat around the loop, so this must run on the server's machine), the client's wall time, and how often
PostgreSQL planned the statement afresh (`custom_plans`) or used its generic plan (`pg_prepared_statements`).
Results go to docs/benchmarks.md.
"""

import asyncio
import importlib.util
import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import typer

from accord.devtools.infra import postgres
from accord.progress.adapters import repository
from accord.progress.domain.progress import LATEST_NEEDED

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "services/progress/src/accord/progress/migrations/versions"

# `main` at 5f87f1d: `Repository.entries_by_id` and `Repository.ledger`, one round trip each.
BY_ID = "SELECT * FROM entries WHERE entry_id = ANY($1::uuid[])"
LEDGER = (
    "SELECT decision_key, NULL::uuid AS entry_id, NULL::float8 AS value, NULL::timestamptz AS occurred_at "
    "FROM decisions WHERE goal_id = $1 AND goal_version = $2 "
    "UNION ALL (SELECT NULL, entry_id, value, occurred_at FROM entries "
    "WHERE goal_id = $1 AND goal_version = $2 AND kind = ANY($3::text[]) "
    "ORDER BY occurred_at DESC, entry_id DESC LIMIT $4)"
)
KINDS = ["measurement", "rating"]  # a goal rated 0-10: both count

Form = list[tuple[str, Callable[[uuid.UUID], tuple[Any, ...]]]]
FORMS: dict[str, Form] = {
    "two statements (main)": [
        (BY_ID, lambda g: ([uuid.uuid4()],)),
        (LEDGER, lambda g: (g, 1, KINDS, LATEST_NEEDED)),
    ],
    "one statement, one-entry form": [
        (repository._ENTRY_AND_LEDGER, lambda g: (uuid.uuid4(), g, 1, KINDS)),
    ],
    "one statement, batch form": [
        (repository._ENTRIES_AND_LEDGERS, lambda g: ([uuid.uuid4()], [g], [1], [True])),
    ],
}
# A batch of 10 entries over 3 goals (the goal drawn and the two after it): main read the ledgers one by one.
BATCH: dict[str, Form] = {
    "batch of 10 over 3 goals, main": [(BY_ID, lambda g: ([uuid.uuid4() for _ in range(10)],))]
    + [(LEDGER, lambda g, i=i: (_nth(g, i), 1, KINDS, LATEST_NEEDED)) for i in range(3)],
    "batch of 10 over 3 goals, one statement": [
        (
            repository._ENTRIES_AND_LEDGERS,
            lambda g: ([uuid.uuid4() for _ in range(10)], [_nth(g, i) for i in range(3)], [1] * 3, [True] * 3),
        )
    ],
}
GOALS: list[uuid.UUID] = []


def _nth(goal: uuid.UUID, i: int) -> uuid.UUID:
    return GOALS[(GOALS.index(goal) + i) % len(GOALS)]


def _ddl(name: str) -> list[str]:
    spec = importlib.util.spec_from_file_location(name, VERSIONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [s.format(s="progress") for s in module.TABLES if "entries" in s or "decisions" in s]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(url: str, executions: int, goals: int, per_goal: int) -> None:
    conn = await asyncpg.connect(url, server_settings={"search_path": "progress"})
    await conn.execute("CREATE SCHEMA progress")
    for statement in _ddl("0003_goal_view_and_entries"):
        await conn.execute(statement)
    await conn.execute("CREATE INDEX entries_latest ON entries (goal_id, goal_version, occurred_at, entry_id)")
    await conn.execute("DROP INDEX entries_by_goal")  # as migration 0004 does
    ids = [uuid.uuid4() for _ in range(goals)]
    GOALS[:] = ids
    now = datetime.now(UTC)
    rows = [
        (uuid.uuid4(), "t", uuid.uuid4(), g, 1, "rating", float(i % 11), None, now - timedelta(minutes=i), *client)
        for g in ids
        for i in range(per_goal)
        for client in [(uuid.uuid4(), "client", None)]
    ]
    await conn.copy_records_to_table("entries", records=rows, columns=list(repository._ENTRY_COLUMNS))
    await conn.execute("INSERT INTO decisions SELECT g, 1, 'milestone:m', NULL FROM unnest($1::uuid[]) g", ids[::2])
    pid = await conn.fetchval("SELECT pg_backend_pid()")
    for state in ("fresh tables", "after ANALYZE"):
        if state == "after ANALYZE":
            await conn.execute("ANALYZE")
        for name, form in {**FORMS, **BATCH}.items():
            prepared = [(await conn.prepare(sql), args) for sql, args in form]
            cpu, wall = _cpu_seconds(pid), time.perf_counter()
            for _ in range(executions):
                goal = random.choice(ids)
                for statement, args in prepared:
                    await statement.fetch(*args(goal))
            cpu, wall = _cpu_seconds(pid) - cpu, time.perf_counter() - wall
            plans = await conn.fetch(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = ANY($1::text[])",
                [sql for sql, _ in form],
            )
            planned = ", ".join(f"{p['generic_plans']} generic / {p['custom_plans']} custom" for p in plans)
            print(
                f"{state}, {name}: backend {cpu / executions * 1e6:.0f} µs, client wall "
                f"{wall / executions * 1e6:.0f} µs an execution; plans: {planned}"
            )
            await conn.execute("DEALLOCATE ALL")
            conn._stmt_cache.clear()  # asyncpg's own cache of what was just deallocated
    await conn.close()


def main(executions: int = 2000, goals: int = 40, entries_per_goal: int = 200) -> None:
    with postgres.throwaway("accord-write-reads-") as server:
        asyncio.run(measure(server.admin_url, executions, goals, entries_per_goal))


if __name__ == "__main__":
    typer.run(main)
