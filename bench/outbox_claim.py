"""The relay's claim with many sent rows kept, with and without a long-open snapshot holding back the cleanup horizon.

    uv run python bench/outbox_claim.py [--sent 1000000] [--unsent 1000]

Starts a PostgreSQL of its own, fills an outbox (the services' own DDL) with `--sent` rows marked sent in batches of
1,000 (as relays mark them) and `--unsent` rows not yet sent, then times the relay's claim (EXPLAIN ANALYZE, BUFFERS)
in three states: while a REPEATABLE READ transaction opened before the rows were marked sent is still open (the
campaign's harness held such snapshots with its long inbox counts); after it ends, at the first claim (which finds
the dead index entries and marks them); and at the claims after that. Results go to docs/benchmarks.md.
"""

import asyncio
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg
import typer

from accord.devtools.infra import postgres
from accord.shared.outbox.ddl import messaging_tables_ddl
from accord.shared.outbox.relay import _CLAIM

ROOT = Path(__file__).resolve().parents[1]


async def measure(url: str, sent: int, unsent: int) -> None:
    conn, holder = await asyncpg.connect(url), await asyncpg.connect(url)
    for statement in messaging_tables_ddl("bench"):
        await conn.execute(statement)
    rows = (
        "SELECT gen_random_uuid(), 'accord.progress.v1', (i % 1000)::text, '\\x00', $1::jsonb "
        "FROM generate_series(1, $2) i"
    )
    headers = json.dumps({"event_type": "GoalRatingRecorded"})
    await conn.execute(
        f"INSERT INTO bench.outbox (event_id, topic, message_key, payload, headers) {rows}", headers, sent
    )
    await conn.execute("VACUUM ANALYZE bench.outbox")
    holding = holder.transaction(isolation="repeatable_read")
    await holding.start()
    await holder.fetchval("SELECT count(*) FROM bench.outbox")  # the snapshot is taken: the horizon stays here
    began = time.monotonic()
    for low in range(1, sent + 1, 1000):
        # As the relay marks a batch sent (relay.py): out of the unsent rows, then its time sent.
        await conn.execute("DELETE FROM bench.outbox_unsent WHERE id BETWEEN $1 AND $2", low, low + 999)
        await conn.execute("UPDATE bench.outbox SET sent_at = now() WHERE id BETWEEN $1 AND $2", low, low + 999)
    print(f"{sent:,} rows marked sent in batches of 1,000 in {time.monotonic() - began:.0f} s", flush=True)
    await conn.execute(
        f"INSERT INTO bench.outbox (event_id, topic, message_key, payload, headers) {rows}", headers, unsent
    )
    claim = "EXPLAIN (ANALYZE, BUFFERS) " + _CLAIM.format(table="bench.outbox", queue="bench.outbox_unsent")

    async def explained(label: str) -> None:
        async with conn.transaction():
            plan = [r[0] for r in await conn.fetch(claim, 1000)]
        print(f"--- {label}")
        print("\n".join(plan))

    await explained("snapshot still open, first claim")
    await explained("snapshot still open, second claim")
    await holding.rollback()
    await explained("snapshot ended, first claim")
    await explained("snapshot ended, second claim")
    await conn.close()
    await holder.close()


def main(sent: int = typer.Option(1_000_000, min=1), unsent: int = typer.Option(1000, min=1)) -> None:
    home = Path(tempfile.mkdtemp(prefix="claim-", dir=ROOT / ".accord"))
    database = postgres.start(home / "postgres", secrets.token_urlsafe(24))
    try:
        url = database.admin_url
        asyncio.run(_prepare(url))
        asyncio.run(measure(url, sent, unsent))
    finally:
        postgres.stop(Path(database.data))
        shutil.rmtree(home, ignore_errors=True)


async def _prepare(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE SCHEMA bench")
    finally:
        await conn.close()


if __name__ == "__main__":
    typer.run(main)
