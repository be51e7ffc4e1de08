"""Open-model HTTP load against the running services: through the gateway beside the same load sent directly.

    uv run python bench/api_load.py [--rates 200,400,800] [--seconds 15]

Starts its own Kafka, PostgreSQL and every service as separate processes (as `scripts/up` does), creates 40 clients
with an agreed goal each, then for each rate sends requests on a fixed schedule (a constant rate), whatever the
answers do, so a slow server cannot slow the load down (no coordinated omission): latency is measured from each
request's scheduled time. Mix: 80% reads (GET the goal's progress), 20% writes (POST an entry). Each step runs
`--warm-up` seconds at its rate unrecorded, then is measured; the CPU each part of the system used during it (each
service's API and worker, the broker, the database, the load generator) is read from /proc. After each step the
consumer groups' backlog is read, and how long it takes to drain (waiting at most `--settle` seconds), so a step
whose requests look well but whose events pile up shows it. Also measures bulk ingestion through the offline-sync
batch endpoint. Writes bench/results/api_load.json. Not a test.
"""

import asyncio
import base64
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.services import start_all
from accord.ops.lag import consumed_topics, group_lag
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.reporting.handlers.analytics import ANALYTICS_GROUP
from accord.shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)
CLIENTS = 40  # load spread over many clients' goals, as in a real service


async def setup(gateway: str, idp: DevIdentityProvider, tenant: str) -> tuple[dict[str, str], str]:
    client, therapist = uuid.uuid4(), uuid.uuid4()
    c, t = idp.bearer(client, ["client"], tenant, lifetime=3600), idp.bearer(therapist, ["therapist"], tenant)
    async with httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=30) as http:
        e = (
            await http.post("/episodes", headers=t, json={"client_id": str(client), "team_id": str(uuid.uuid4())})
        ).json()
        content = {
            "statement": "Cook dinner for the family once a week",
            "why_it_matters": "I like to help",
            "category_code": "daily_living",
            "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
            "baseline": 2,
            "target": 10,
            "direction": "increase",
            "confidence": 6,
            "expressed_by": "client",
            "due_date": (date.today() + timedelta(days=60)).isoformat(),
            "review_interval_days": 14,
        }
        g = (await http.post(f"/episodes/{e['episode_id']}/goals", headers=c, json={"content": content})).json()
        await http.post(f"/goals/{g['goal_id']}/proposal", headers=c, json={})
        for who in (c, t):
            await http.post(f"/goals/{g['goal_id']}/agreements", headers=who, json={"decision": "agree"})
        while (await http.get(f"/progress/goals/{g['goal_id']}", headers=c)).status_code != 200:
            await asyncio.sleep(0.2)  # the agreement is on its way to the progress service
    return c, g["goal_id"]


Goal = tuple[dict[str, str], str]  # a client's headers and one of their agreed goals


def vegeta() -> str:
    """The open-model load generator (constant arrival rate; latency from each request's scheduled time).
    A Python client cannot keep up on two cores, so a compiled one is used: built once from the Go module proxy."""
    found = shutil.which("vegeta") or str(Path.home() / "go" / "bin" / "vegeta")
    if not Path(found).exists():
        subprocess.run(["go", "install", "github.com/tsenart/vegeta/v12@v12.12.0"], check=True)
    return found


def targets(base: str, goals: list[Goal], path: Path) -> Path:
    """80% reads of a goal's progress, 20% entries recorded, on every client's goal alike (each goal is read 8 times
    and written twice in a round, so reads see the entries written), in a shuffled order (vegeta JSON targets)."""
    lines = []
    at = datetime.now(UTC).isoformat()
    for i in range(len(goals) * 10):
        headers, goal = goals[i // 10]
        hdrs = {k: [v] for k, v in headers.items()}
        if i % 5 == 4:
            body = json.dumps({"kind": "rating", "value": i % 10, "occurred_at": at}).encode()
            lines.append(
                {
                    "method": "POST",
                    "url": f"{base}/progress/goals/{goal}/entries",
                    "body": base64.b64encode(body).decode(),
                    "header": {**hdrs, "Content-Type": ["application/json"]},
                }
            )
        else:
            lines.append({"method": "GET", "url": f"{base}/progress/goals/{goal}", "header": hdrs})
    random.Random(1).shuffle(lines)
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


_SERVICE_PROCESS = re.compile(r"accord-(\w+) (api|worker)")


def _part(cmdline: str) -> str | None:
    """Which part of the running system a process is, by its command line."""
    if found := _SERVICE_PROCESS.search(cmdline):
        return f"{found[1]} {found[2]}"
    if "kafka.Kafka" in cmdline:
        return "kafka"
    if cmdline.startswith("postgres") or "/bin/postgres " in cmdline:
        return "postgresql"
    if "vegeta" in cmdline:
        return "load generator"
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""  # the process has ended


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by each part of the system, from /proc (Linux): where a step's cores went."""
    used: dict[str, float] = defaultdict(float)
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process has ended
        if (part := _part(_cmdline(int(stat.parent.name)))) is not None:
            used[part] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return used


async def consumers_behind(bootstrap: str) -> int:
    """Events not yet handled by every consumer group: the services', and the analytics stream's."""
    groups = {service: consumed_topics(service) for service in SERVICES} | {ANALYTICS_GROUP: CONSUMED_TOPICS}
    behind = 0
    for group, topics in groups.items():
        behind += sum(p.lag for p in await group_lag(bootstrap, group, topics))
    return behind


async def drained(bootstrap: str, limit: float) -> dict[str, Any]:
    """The consumers' backlog when a step ends, and the seconds until it is gone (None: not within `limit`)."""
    start, behind = time.perf_counter(), await consumers_behind(bootstrap)
    backlog, drained_after = behind, 0.0
    while behind and time.perf_counter() - start < limit:
        await asyncio.sleep(0.25)
        behind = await consumers_behind(bootstrap)
        drained_after = time.perf_counter() - start
    await asyncio.sleep(max(0.0, min(2.0, limit - (time.perf_counter() - start))))  # quiet before the next step
    return {"consumer_backlog_at_end": backlog, "drained_after_s": None if behind else round(drained_after, 1)}


def _children_cpu() -> float:
    """CPU time of this process's finished children: the load generator's runs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def open_model(tool: str, target_file: Path, rate: float, seconds: float, warm_up: float) -> dict[str, Any]:
    def attack(duration: float) -> bytes:
        return subprocess.run(
            [
                tool,
                "attack",
                "-format=json",
                f"-targets={target_file}",
                f"-rate={int(rate)}/s",
                f"-duration={duration}s",
                "-timeout=30s",
                "-max-workers=512",
            ],
            check=True,
            capture_output=True,
        ).stdout

    if warm_up:
        attack(warm_up)  # the same rate, not recorded: pools filled, caches and connections warm
    before, children, start = cpu_seconds(), _children_cpu(), time.perf_counter()
    results = attack(seconds)
    report = subprocess.run([tool, "report", "-type=json"], input=results, check=True, capture_output=True)
    elapsed, after = time.perf_counter() - start, cpu_seconds()
    after["load generator"] = before.get("load generator", 0.0) + _children_cpu() - children
    r = json.loads(report.stdout)
    ms = {k: v / 1e6 for k, v in r["latencies"].items()}
    return {
        "offered_per_s": rate,
        "achieved_per_s": r["throughput"],
        "p50_ms": ms["50th"],
        "p95_ms": ms["95th"],
        "p99_ms": ms["99th"],
        "error_rate": 1 - r["success"],
        "status_codes": r["status_codes"],
        # Cores each part of the system kept busy during the step (2.0 = both cores of this machine).
        "cpu_cores": {part: round((after[part] - before.get(part, 0.0)) / elapsed, 2) for part in sorted(after)},
    }


async def ingest(base: str, goals: list[Goal], entries: int, per_batch: int) -> float:
    """Offline sync: each client sends its entries in batches; clients send at the same time."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        start = time.perf_counter()
        await asyncio.gather(*(_sync(http, headers, goal, entries // len(goals), per_batch) for headers, goal in goals))
        return entries / (time.perf_counter() - start)


async def _sync(http: httpx.AsyncClient, headers: dict[str, str], goal: str, entries: int, per_batch: int) -> None:
    for _ in range(entries // per_batch):
        batch = [
            {
                "goal_id": goal,
                "kind": "rating",
                "value": random.randint(0, 9),
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            for _ in range(per_batch)
        ]
        r = await http.post("/progress/entries/batch", headers=headers, json={"entries": batch})
        r.raise_for_status()


@app.command()
def main(
    rates: str = "200,400,800",
    seconds: float = 15.0,
    ingest_entries: int = 4000,
    settle: float = 10.0,
    warm_up: Annotated[float, typer.Option(help="seconds at each step's rate before it is measured")] = 3.0,
) -> None:
    home = ROOT / ".accord" / "bench" / f"api-{os.getpid()}"
    idp = DevIdentityProvider()
    with console.status("starting Kafka, PostgreSQL and every service"), stack.running(home) as infra:
        running = start_all(
            {**infra.service_env(), **idp.env()},
            home / "logs",
            environment="test",
            extra_env={
                "ACCORD_GATEWAY_USER_BURST": "1000000",
                "ACCORD_GATEWAY_ADDRESS_BURST": "1000000",
                "ACCORD_GATEWAY_USER_RATE_PER_SECOND": "100000",
                "ACCORD_GATEWAY_ADDRESS_RATE_PER_SECOND": "100000",
            },
        )
        try:
            results = asyncio.run(
                run(
                    running.urls,
                    idp,
                    [float(r) for r in rates.split(",")],
                    seconds,
                    ingest_entries,
                    settle,
                    warm_up,
                    infra.bootstrap_servers,
                )
            )
        finally:
            running.stop()
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    results["warm_up_seconds"] = warm_up
    out = ROOT / "bench" / "results" / "api_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    table = Table(
        "path", "offered/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "errors", "busiest parts (cores)", "drained"
    )
    for row in results["mixed"]:
        busiest = sorted(row["cpu_cores"].items(), key=lambda kv: -kv[1])[:4]
        table.add_row(
            row["via"],
            f"{row['offered_per_s']:.0f}",
            f"{row['achieved_per_s']:.0f}",
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            f"{row['error_rate']:.2%}",
            ", ".join(f"{part} {cores:.2f}" for part, cores in busiest)
            + f" (all {sum(row['cpu_cores'].values()):.2f})",
            f"{row['consumer_backlog_at_end']} events in {row['drained_after_s']} s",
        )
    console.print(table)
    for via, rate in results["ingest_per_s"].items():
        console.print(f"offline-sync ingestion {via}: {rate:.0f} entries/s")


async def run(
    urls: dict[str, str],
    idp: DevIdentityProvider,
    rates: list[float],
    seconds: float,
    ingest_entries: int,
    settle: float,
    warm_up: float,
    bootstrap: str,
) -> dict[str, Any]:
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    with console.status("creating clients with agreed goals"):
        goals = [await setup(urls["gateway"], idp, tenant) for _ in range(CLIENTS)]
    mixed, tool = [], vegeta()
    work = ROOT / ".accord" / "bench"
    for rate in rates:
        for via, base in (("gateway", f"{urls['gateway']}/api/v1"), ("direct", urls["progress"])):
            with console.status(f"{rate:.0f} requests/s {via}"):
                target_file = targets(base, goals, work / f"targets-{via}.json")
                mixed.append({"via": via, **open_model(tool, target_file, rate, seconds, warm_up)})
            with console.status("settling: the consumers work through the events of the step's writes"):
                # The step's backlog drains before the next step (so it does not weigh on it); how long that took
                # says whether the consumers kept up with the step's writes.
                mixed[-1] |= await drained(bootstrap, settle)
    console.print(mixed)
    ingestion = {}
    for via, base in (("gateway", f"{urls['gateway']}/api/v1"), ("direct", urls["progress"])):
        with console.status(f"offline-sync ingestion {via}"):
            # Four devices syncing at once (a batch is one request of 50 entries).
            ingestion[via] = await ingest(base, goals[:4], ingest_entries, per_batch=50)
    return {"mixed": mixed, "ingest_per_s": ingestion, "seconds_per_step": seconds}


if __name__ == "__main__":
    app()
