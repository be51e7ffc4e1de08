"""Fault campaign: events through the services' own write paths and the real pipeline under a seeded schedule of
faults, then checked by counting.

    uv run python bench/fault_campaign.py [--events 1000000] [--faults 100] [--seed 1] [--instances 3] [--poison 10]

Starts its own secured Kafka and PostgreSQL (it kills and restarts them) and `--instances` workers of each kind
(progress: the relays; goals, notifications and reporting: the consumers of accord.progress.v1). Sets up `--clients`
care episodes with an agreed GBO goal each through the goals service's own command handlers, then records `--events`
GBO ratings in batches of `--batch` through the progress service's own batch handler (`record_entries`, in its own
command runner's transaction: entries, decisions, audit rows and outbox events together), in process rather than
over HTTP. Injects the faults (accord.devtools.faults.schedule) and poison messages, prints progress, then a summary:
entries and events, faults by kind with their recovery times, throughput, and the invariants (every event in every
consuming group's inbox exactly once and in per-client order, every effect exactly once: reporting's rows and
analytics events, the clients' celebrations, the notification outcomes; the outboxes drained, every poison message
dead-lettered once by every consumer group and nothing else). Exits 1 when an invariant is broken. SIGUSR1 to it
ends the writing early (a deadline): it still catches up and counts what was written, and says what was not done.
Results go to docs/reliability.md with the machine they came from.
"""

import asyncio
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import typer

from accord.devtools.faults.campaign import Options, Result, run

ROOT = Path(__file__).resolve().parents[1]


def main(
    events: int = typer.Option(1_000_000, min=1, help="entries to record (each an event; decisions add more)"),
    faults: int = typer.Option(100, min=0),
    seed: int = typer.Option(1),
    instances: int = typer.Option(3, min=2, help="workers of each kind, in one consumer group"),
    batch: int = typer.Option(200, min=1, help="entries per write transaction (one client's batch)"),
    clients: int = typer.Option(1000, min=1, help="clients, each with a care episode and an agreed goal"),
    poison: int = typer.Option(10, min=0, help="undecodable messages slipped in, each to be dead-lettered"),
) -> None:
    home = Path(tempfile.mkdtemp(prefix="faults-", dir=ROOT / ".accord"))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, {started}", flush=True)

    def say(line: str) -> None:
        print(line, flush=True)

    options = Options(
        events, faults, seed, home, instances=instances, batch=batch, clients=clients, poison=poison, say=say
    )

    def stop_early() -> None:
        say("SIGUSR1: no more entries or faults; catching up and counting what was written")
        options.stop_early = True

    async def campaign() -> Result:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, stop_early)
        return await run(options)

    result = asyncio.run(campaign())
    print(result.summary(), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    if result.problems():
        print(f"logs kept under {home}", flush=True)
        sys.exit(1)
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
