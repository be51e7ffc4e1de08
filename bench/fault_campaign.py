"""Fault campaign: events through the real pipeline under a seeded schedule of faults, then checked by counting.

    uv run python bench/fault_campaign.py [--events 1000000] [--faults 100] [--seed 1] [--instances 3] [--poison 10]

Starts its own secured Kafka and PostgreSQL (it kills and restarts them) and `--instances` workers of each kind
(goals relays; progress, notifications and reporting consumers), writes GoalPaused events into the goals outbox in
transactions, injects the faults (accord.devtools.faults.schedule) and prints progress, then a summary: events,
faults by kind with their recovery times, throughput, and the invariants (every event in every consuming inbox and
effect table exactly once, the outbox drained, every poison message dead-lettered by every consumer group and
nothing else). Exits 1 when an invariant is broken. Results go to
docs/benchmarks.md with the machine they came from.
"""

import asyncio
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import typer

from accord.devtools.faults.campaign import Options, run

ROOT = Path(__file__).resolve().parents[1]


def main(
    events: int = typer.Option(1_000_000, min=1),
    faults: int = typer.Option(100, min=0),
    seed: int = typer.Option(1),
    instances: int = typer.Option(3, min=2, help="workers of each kind, in one consumer group"),
    batch: int = typer.Option(200, min=1, help="events per write transaction"),
    poison: int = typer.Option(10, min=0, help="undecodable messages slipped in, each to be dead-lettered"),
) -> None:
    home = Path(tempfile.mkdtemp(prefix="faults-", dir=ROOT / ".accord"))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, {started}", flush=True)

    def say(line: str) -> None:
        print(line, flush=True)

    options = Options(events, faults, seed, home, instances=instances, batch=batch, poison=poison, say=say)
    result = asyncio.run(run(options))
    print(result.summary(), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    if result.problems():
        print(f"logs kept under {home}", flush=True)
        sys.exit(1)
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
