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

`--write-rate N` also measures the CPU per write across the whole stack (every API and worker, the broker, the
database: this run's own processes only, never another run's on the same machine): writes alone through the gateway
at N a second for `--seconds`, then until every consumer group has taken their events; the stack's idle use over
as long, measured just before, is subtracted; per part and in total. `--profile` also sends writes to a second
progress API under cProfile and prints where its time went; `--profile-gateway` does the same with a second gateway
(in front of the same services), sent writes alone and then, in another such gateway, reads alone at the same rate.

`--ref <commit>[,<commit>…]` compares this checkout with those commits' Python sources (services, shared, dev
tooling, ops: `git archive`, first on the PYTHONPATH of a second run of this script with `--serve`, whose stack then
runs that code and its migrations; only the Python sources differ, the dependencies are this checkout's). Every
stack is up at once and they are measured in turns: CPU per write `--rounds` times each, then each rate of the mix
through the gateway; it prints both side by side, with the highest offered rate whose p99 stayed within 100 ms.
"""

import asyncio
import base64
import contextlib
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psutil
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.provision import DATABASE
from accord.devtools.infra.services import start_all, wait_ready
from accord.ops.lag import consumed_topics, group_lag
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.reporting.handlers.analytics import ANALYTICS_GROUP
from accord.shared.services import SERVICES

OFFSETS_TOPIC = "__consumer_offsets"

ROOT = Path(__file__).resolve().parents[1]
console = Console(width=200)
app = typer.Typer(add_completion=False)
ANSWERS = sys.stdout  # where --serve answers: stdout, which everything else is then kept off
CLIENTS = 40  # load spread over many clients' goals, as in a real service


async def sent(http: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    """The request's answer, sent again after the gateway's Retry-After while it is rate limited (all of a bench's
    requests come from one address); any other refusal raises, rather than leaving a goal half agreed."""
    while (r := await http.request(method, url, **kw)).status_code == 429:
        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
    if r.status_code >= 400 and not (method == "GET" and r.status_code == 409):  # 409: not known here yet
        raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:200]}")
    return r


async def setup(gateway: str, idp: DevIdentityProvider, tenant: str) -> tuple[dict[str, str], str]:
    client, therapist = uuid.uuid4(), uuid.uuid4()
    c, t = idp.bearer(client, ["client"], tenant, lifetime=3600), idp.bearer(therapist, ["therapist"], tenant)
    async with httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=30) as http:
        opened = {"client_id": str(client), "team_id": str(uuid.uuid4())}
        e = (await sent(http, "POST", "/episodes", headers=t, json=opened)).json()
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
        g = (
            await sent(http, "POST", f"/episodes/{e['episode_id']}/goals", headers=c, json={"content": content})
        ).json()
        await sent(http, "POST", f"/goals/{g['goal_id']}/proposal", headers=c, json={})
        for who in (c, t):
            await sent(http, "POST", f"/goals/{g['goal_id']}/agreements", headers=who, json={"decision": "agree"})
        while (await sent(http, "GET", f"/progress/goals/{g['goal_id']}", headers=c)).status_code != 200:
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


def cpu_seconds(home: Path | None = None) -> dict[str, float]:
    """CPU time used so far by each part of the system, from /proc (Linux): where a step's cores went. With `home`,
    only this run's own stack (this process's children and the servers whose command line names `home`), so
    another engineer's services on the same machine are not counted."""
    if home is not None:
        return stack_cpu(home)
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


def nice_workers(niceness: int) -> None:
    """This stack's workers at `niceness`, as scripts/up starts them (`WORKER_NICENESS` of the dev tooling's
    services). Set from here once
    they run, so that a `--ref` stack, started by that commit's own tooling, is scheduled alike."""
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "worker" in process.cmdline()[1:3]:
                process.nice(niceness)


def stack_cpu(home: Path) -> dict[str, float]:
    """CPU time so far of each part of this run's stack. PostgreSQL's postmaster also counts the backends it has
    reaped (a connection closed during a step still counts)."""
    found: dict[int, psutil.Process] = {p.pid: p for p in psutil.Process().children(recursive=True)}
    for p in psutil.process_iter(["cmdline"]):
        if str(home) in " ".join(p.info["cmdline"] or []):
            found |= {q.pid: q for q in [p, *p.children(recursive=True)]}
    used: dict[str, float] = defaultdict(float)
    for process in found.values():
        try:
            part, times = _part(" ".join(process.cmdline())), process.cpu_times()
        except psutil.Error:
            continue  # the process has ended
        if part is None or part == "load generator":
            continue
        used[part] += times.user + times.system
        if part == "postgresql" and str(home) in " ".join(process.cmdline()):
            used[part] += times.children_user + times.children_system
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


async def offset_records(bootstrap: str) -> int:
    """Records written to `__consumer_offsets` so far: one per partition named by each offset commit (and a few for
    the groups' own changes). Read as end offsets, which cost the same whatever their number."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        [topic] = await admin.describe_topics([OFFSETS_TOPIC])
        partitions = [TopicPartition(OFFSETS_TOPIC, p["partition"]) for p in topic["partitions"]]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()
        await admin.close()


def _children_cpu() -> float:
    """CPU time of this process's finished children: the load generator's runs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def attack(tool: str, target_file: Path, rate: float, duration: float) -> bytes:
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


def open_model(
    tool: str, target_file: Path, rate: float, seconds: float, warm_up: float, home: Path | None = None
) -> dict[str, Any]:
    if warm_up:
        attack(tool, target_file, rate, warm_up)  # the same rate, not recorded: pools filled, caches warm
    before, children, start = cpu_seconds(home), _children_cpu(), time.perf_counter()
    results = attack(tool, target_file, rate, seconds)
    report = subprocess.run([tool, "report", "-type=json"], input=results, check=True, capture_output=True)
    elapsed, after = time.perf_counter() - start, cpu_seconds(home)
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


def write_targets(base: str, goals: list[Goal], path: Path) -> Path:
    """Writes alone: one rating entry on each client's goal in turn (vegeta JSON targets)."""
    at = datetime.now(UTC).isoformat()
    lines = []
    for i, (headers, goal) in enumerate(goals * 5):
        body = json.dumps({"kind": "rating", "value": (i * 7) % 10, "occurred_at": at}).encode()
        hdrs = {k: [v] for k, v in headers.items()}
        lines.append(
            {
                "method": "POST",
                "url": f"{base}/progress/goals/{goal}/entries",
                "body": base64.b64encode(body).decode(),
                "header": {**hdrs, "Content-Type": ["application/json"]},
            }
        )
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def read_targets(base: str, goals: list[Goal], path: Path) -> Path:
    """Reads alone: each client's goal's progress in turn (vegeta JSON targets)."""
    lines = [
        {"method": "GET", "url": f"{base}/progress/goals/{goal}", "header": {k: [v] for k, v in headers.items()}}
        for headers, goal in goals
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def vegeta_report(tool: str, results: bytes) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        subprocess.run([tool, "report", "-type=json"], input=results, check=True, capture_output=True).stdout
    )
    return report


async def analyzed(admin_url: str) -> None:
    """The planner's statistics for every table, as autovacuum has them a minute or so into a service's life. A run
    measured before that plans as for empty tables: a prepared statement whose generic plan would lose to one made
    for each call once the tables hold rows is then run on its generic plan, and its planning is missed."""
    conn = await asyncpg.connect(urlunsplit(urlsplit(admin_url)._replace(path=f"/{DATABASE}")))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


STATEMENTS_OPTIONS = (
    "shared_preload_libraries=pg_stat_statements pg_stat_statements.track=all pg_stat_statements.track_planning=on"
)


async def server_statements(admin_url: str, *, reset: bool = False, per: float = 1.0) -> list[dict[str, Any]]:
    """With --statements (PostgreSQL started with pg_stat_statements): forget what was counted (`reset`), or the
    statements that took most of the server's time since, by the role that sent them, in ms and calls per write."""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        if reset:
            await conn.execute("SELECT pg_stat_statements_reset()")
            return []
        rows = await conn.fetch(
            "SELECT r.rolname, s.calls, s.total_exec_time, s.total_plan_time, s.query FROM pg_stat_statements s "
            "JOIN pg_roles r ON r.oid = s.userid ORDER BY s.total_exec_time + s.total_plan_time DESC LIMIT 30"
        )
    finally:
        await conn.close()
    return [
        {
            "role": r["rolname"],
            "ms_per_write": round(r["total_exec_time"] / per, 4),
            "planning_ms_per_write": round(r["total_plan_time"] / per, 4),
            "calls_per_write": round(r["calls"] / per, 3),
            "query": " ".join(r["query"].split())[:160],
        }
        for r in rows
    ]


async def cpu_per_write(
    tool: str,
    target_file: Path,
    rate: float,
    seconds: float,
    warm_up: float,
    bootstrap: str,
    home: Path,
    statements_from: str | None = None,
) -> dict[str, Any]:
    """CPU of every part of the stack per write at a fixed write rate: from the first write until every consumer
    group has taken the step's events, less the stack's idle use over as long (measured just before)."""
    attack(tool, target_file, rate, warm_up)
    await drained(bootstrap, 30)
    before, start = cpu_seconds(home), time.perf_counter()
    await asyncio.sleep(seconds)
    idle_elapsed, idle = time.perf_counter() - start, cpu_seconds(home)
    idle_per_s = {part: (idle[part] - before.get(part, 0.0)) / idle_elapsed for part in idle}
    if statements_from is not None:
        await server_statements(statements_from, reset=True)
    before, start, commits_before = idle, time.perf_counter(), await offset_records(bootstrap)
    results = attack(tool, target_file, rate, seconds)
    drain = await drained(bootstrap, 30)
    elapsed, after = time.perf_counter() - start, cpu_seconds(home)
    commits = await offset_records(bootstrap) - commits_before
    report = vegeta_report(tool, results)
    writes = report["requests"] * report["success"]
    statements = await server_statements(statements_from, per=writes) if statements_from is not None else []
    per_part = {
        part: round((after[part] - before.get(part, 0.0) - idle_per_s.get(part, 0.0) * elapsed) * 1000 / writes, 3)
        for part in sorted(after)
    }
    return {
        "write_rate": rate,
        "writes": writes,
        "status_codes": report["status_codes"],
        "p50_ms": report["latencies"]["50th"] / 1e6,
        "p99_ms": report["latencies"]["99th"] / 1e6,
        "cpu_ms_per_write": round(sum(per_part.values()), 3),
        "cpu_ms_per_write_by_part": per_part,
        "idle_cores": {part: round(v, 3) for part, v in sorted(idle_per_s.items())},
        "offset_records_per_write": round(commits / writes, 3),
        **({"server_statements": statements} if statements else {}),
        **drain,
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


def profiled_api(
    tool: str, home: Path, service: str, name: str, targets: Any, rate: float, seconds: float, cumulative: int = 60
) -> str:
    """A second API of `service`, started with the running one's environment under cProfile (py-spy cannot attach to
    a process here), sent the requests `targets(base_url, file)` writes at `rate`; the functions that took most of its
    time, by own and by cumulative time (cProfile slows everything: read shares, not speeds). The whole profile stays
    as <name>.prof."""
    api = next(
        p
        for p in psutil.Process().children(recursive=True)
        if (cmd := p.cmdline())[1:3] and cmd[1].endswith(f"accord-{service}") and cmd[2] == "api"
    )
    port, out = free_port(), home / f"{name}.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "uvicorn", f"accord.{service}.bootstrap:create_api"]
    argv += ["--factory", f"--port={port}", "--no-access-log", "--log-level=warning", "--no-proxy-headers"]
    log = (home / "logs" / f"{name}-profiled.log").open("ab")
    profiled = subprocess.Popen(argv, env=api.environ(), cwd=home, stdout=log, stderr=log)
    try:
        wait_for_port(port, 60)
        attack(tool, targets(f"http://127.0.0.1:{port}", home / f"targets-{name}.json"), rate, seconds)
    finally:
        profiled.send_signal(2)  # uvicorn stops cleanly on SIGINT, and cProfile writes its file as Python exits
        profiled.wait(60)
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(cumulative)
    return text.getvalue()


def profiled_writes(tool: str, home: Path, goals: list[Goal], rate: float, seconds: float) -> str:
    """A second progress API under cProfile, sent writes alone (progress-write.prof)."""
    return profiled_api(
        tool, home, "progress", "progress-write", lambda base, file: write_targets(base, goals, file), rate, seconds
    )


def profiled_gateway(tool: str, home: Path, goals: list[Goal], kind: str, rate: float, seconds: float) -> str:
    """A second gateway under cProfile (in front of the same services), sent `kind` (writes or reads) alone
    (gateway-<kind>.prof)."""

    def targets(base: str, file: Path) -> Path:
        api = f"{base}/api/v1"
        return write_targets(api, goals, file) if kind == "writes" else read_targets(api, goals, file)

    return profiled_api(tool, home, "gateway", f"gateway-{kind}", targets, rate, seconds, cumulative=80)


async def profiled_worker(
    tool: str, home: Path, service: str, target_file: Path, bootstrap: str, rate: float, seconds: float
) -> str:
    """The service's worker, stopped and started again with its own command and environment under cProfile, sent
    writes through the gateway at `rate` until its groups have taken their events; where its time went (cProfile
    slows everything: read shares). The whole profile stays as <service>-worker.prof."""
    worker = next(
        p
        for p in psutil.Process().children(recursive=True)
        if (cmd := p.cmdline())[1:3] and cmd[1].endswith(f"accord-{service}") and cmd[2] == "worker"
    )
    env, script, out = worker.environ(), worker.cmdline()[1], home / f"{service}-worker.prof"
    worker.terminate()
    worker.wait(60)
    log = (home / "logs" / f"{service}-worker-profiled.log").open("ab")
    argv = [sys.executable, "-m", "cProfile", "-o", str(out), script, "worker"]
    profiled = await asyncio.create_subprocess_exec(*argv, env=env, cwd=home, stdout=log, stderr=log)
    try:
        await asyncio.sleep(10)  # its consumer groups joined again
        attack(tool, target_file, rate, seconds)
        await drained(bootstrap, 30)
    finally:
        profiled.terminate()  # the worker stops on SIGTERM, and cProfile writes its file as Python exits
        await asyncio.wait_for(profiled.wait(), 60)
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("tottime").print_stats(50)
    stats.sort_stats("cumulative").print_stats(90)
    return text.getvalue()


def sources_of(ref: str, into: Path) -> str:
    """The Python sources of every workspace package at `ref` (services, shared, dev tooling, ops), as a
    PYTHONPATH: a run of this script with it runs that code in every process it starts, its migrations included."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", ref, "services", "shared", "dev", "deploy/ops", "deploy/local"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    # The ref's dev tooling finds the broker's jars under its own tree: this checkout's copy (no download).
    (into / ".accord").mkdir(exist_ok=True)
    if not (cache := into / ".accord" / "cache").exists():
        cache.symlink_to(ROOT / ".accord" / "cache")
    sources = [*sorted(into.glob("services/*/src")), into / "shared" / "src", *sorted(into.glob("dev/*/src"))]
    return os.pathsep.join(str(src) for src in [*sources, into / "deploy" / "ops" / "src"])


def highest_within(rows: list[dict[str, Any]], via: str, p99_ms: float = 100.0) -> float:
    """The highest offered rate through `via` served in full (no errors, ≥ 98% of it achieved) with p99 ≤ `p99_ms`."""
    ok = [
        r["offered_per_s"]
        for r in rows
        if r["via"] == via
        and r["p99_ms"] <= p99_ms
        and r["error_rate"] == 0
        and r["achieved_per_s"] >= 0.98 * r["offered_per_s"]
    ]
    return max(ok, default=0.0)


def compare(ref: str, rounds: int, rates: list[float], args: list[str]) -> None:
    """This checkout and `ref`, each with its own stack, both up at once (a second run of this script each, with
    `--serve`), measured in turns: CPU per write A, B, A, B, … then each rate of the mix A, B. A machine whose load
    swings from minute to minute then weighs on both alike, which back-to-back whole runs did not (on this shared
    machine the same code's CPU per write moved by a factor of three between runs minutes apart)."""
    work = ROOT / ".accord" / "bench" / f"compare-{os.getpid()}"
    codes: dict[str, dict[str, str]] = {"this checkout": {}}
    for n, commit in enumerate(ref.split(",")):  # several: each its own stack beside the others
        codes[commit] = {"PYTHONPATH": sources_of(commit, work / f"ref{n}")}
    served: dict[str, subprocess.Popen[str]] = {}
    try:
        for code, extra in codes.items():
            log = (work / f"{code.replace(' ', '-')}.log").open("a")
            served[code] = subprocess.Popen(
                [sys.executable, __file__, *args, "--serve"],
                env={**os.environ, **extra},
                cwd=ROOT / "bench",
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        for code, child in served.items():
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the stack of {code} did not start: see {work}")

        def ask(code: str, command: str) -> dict[str, Any]:
            child = served[code]
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(command + "\n")
            child.stdin.flush()
            answer: dict[str, Any] = json.loads(child.stdout.readline())
            return {"code": code, "load": os.getloadavg(), **answer}

        writes, mixed = [], []
        for n in range(rounds):
            for code in codes:
                console.print(f"CPU per write, round {n + 1} of {rounds}: {code} (load {os.getloadavg()[0]:.1f})")
                writes.append({"round": n + 1, **ask(code, "write")})
        for rate in rates:
            for code in codes:
                console.print(f"mix at {rate:.0f}/s through the gateway: {code} (load {os.getloadavg()[0]:.1f})")
                mixed.append(ask(code, f"mix {rate}"))
    finally:
        for child in served.values():
            if child.poll() is None and child.stdin is not None:
                with contextlib.suppress(OSError):
                    child.stdin.write("quit\n")
                    child.stdin.flush()
        for child in served.values():
            child.wait(120)
    # A write not served in time (a 504 from the gateway) still costs CPU but counts for nothing: a window with
    # such answers overstates the CPU per write, so the share served is shown beside it.
    table = Table("round", "code", "CPU ms per write", "served", "by part (ms)", "offsets committed a write", "load")
    for w in writes:
        parts = sorted(w["cpu_ms_per_write_by_part"].items(), key=lambda kv: -kv[1])
        table.add_row(
            str(w["round"]),
            w["code"],
            f"{w['cpu_ms_per_write']:.2f}",
            f"{w['writes'] / max(1, sum(w['status_codes'].values())):.0%}",
            ", ".join(f"{part} {ms:.2f}" for part, ms in parts if abs(ms) >= 0.05),
            f"{w.get('offset_records_per_write', 0):.2f}",
            f"{w['load'][0]:.1f}",
        )
    console.print(table)
    table = Table("code", "offered/s", "achieved/s", "p50 ms", "p99 ms", "errors", "load")
    for m in mixed:
        table.add_row(
            m["code"],
            f"{m['offered_per_s']:.0f}",
            f"{m['achieved_per_s']:.0f}",
            f"{m['p50_ms']:.1f}",
            f"{m['p99_ms']:.1f}",
            f"{m['error_rate']:.2%}",
            f"{m['load'][0]:.1f}",
        )
    console.print(table)
    for code in codes:
        mine = [w["cpu_ms_per_write"] for w in writes if w["code"] == code]
        best = highest_within([{**m, "via": "gateway"} for m in mixed if m["code"] == code], "gateway")
        console.print(
            f"{code}: CPU per write median {statistics.median(mine):.2f} ms ({', '.join(f'{x:.2f}' for x in mine)}); "
            f"mix through the gateway, highest rate with p99 ≤ 100 ms: {best:.0f}/s"
        )
    summary = ROOT / "bench" / "results" / "api_load_compare.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"ref": ref, "writes": writes, "mixed": mixed}, indent=2))


async def serve(
    urls: dict[str, str],
    idp: DevIdentityProvider,
    bootstrap: str,
    home: Path,
    seconds: float,
    warm_up: float,
    settle: float,
    write_rate: int,
    admin_url: str,
) -> None:
    """Measures on request (a line on stdin: `write`, `mix <rate>` or `quit`), answering each with a line of JSON
    on stdout: for `compare`, which runs two of these at once and asks each in turn."""
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    goals = [await setup(urls["gateway"], idp, tenant) for _ in range(CLIENTS)]
    await analyzed(admin_url)
    tool, base = vegeta(), f"{urls['gateway']}/api/v1"
    writes = write_targets(base, goals, home / "targets-writes.json")
    mix = targets(base, goals, home / "targets-gateway.json")
    print("ready", file=ANSWERS, flush=True)
    while (line := (await asyncio.to_thread(sys.stdin.readline)).split()) and line[0] != "quit":
        if line[0] == "write":
            answer = await cpu_per_write(tool, writes, write_rate, seconds, warm_up, bootstrap, home)
        else:
            answer = open_model(tool, mix, float(line[1]), seconds, warm_up, home)
            answer |= await drained(bootstrap, settle)
        print(json.dumps(answer), file=ANSWERS, flush=True)


@app.command()
def main(
    rates: str = "200,400,800",
    seconds: float = 15.0,
    ingest_entries: int = 4000,
    settle: float = 10.0,
    warm_up: Annotated[float, typer.Option(help="seconds at each step's rate before it is measured")] = 3.0,
    paths: Annotated[str, typer.Option(help="the mix through which: gateway, direct or both")] = "gateway,direct",
    write_rate: Annotated[int, typer.Option(help="also the CPU per write at this many writes/s (0: not)")] = 0,
    ref: Annotated[str | None, typer.Option(help="also run these commits' code (a,b), in turns")] = None,
    rounds: Annotated[int, typer.Option(help="with --ref: how many times each, alternately")] = 1,
    out: Annotated[Path | None, typer.Option(help="where to write the results")] = None,
    profile: Annotated[bool, typer.Option(help="profile a second progress API taking writes (cProfile)")] = False,
    profile_worker: Annotated[str, typer.Option(help="profile this service's worker under writes (cProfile)")] = "",
    profile_gateway: Annotated[
        bool, typer.Option(help="profile a second gateway taking writes, then one taking reads (cProfile)")
    ] = False,
    serve_: Annotated[bool, typer.Option("--serve", help="measure on request from stdin (for --ref)")] = False,
    statements: Annotated[
        bool, typer.Option(help="with --write-rate: PostgreSQL's time per write by statement (pg_stat_statements)")
    ] = False,
    worker_nice: Annotated[
        int, typer.Option(help="the workers' niceness (scripts/up starts them at WORKER_NICENESS); every stack alike")
    ] = 0,
) -> None:
    if serve_:  # the answers alone on stdout: whatever else would print goes to stderr
        global ANSWERS
        ANSWERS = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)
    if ref is not None:
        args = [f"--rates={rates}", f"--seconds={seconds}", f"--ingest-entries={ingest_entries}"]
        args += [f"--settle={settle}", f"--warm-up={warm_up}", f"--paths={paths}", f"--write-rate={write_rate}"]
        args += [f"--worker-nice={worker_nice}"]
        compare(ref, rounds, [float(r) for r in rates.split(",") if r], args)
        return
    home = ROOT / ".accord" / "bench" / f"api-{os.getpid()}"
    idp = DevIdentityProvider()
    if statements:  # read by the PostgreSQL the stack starts; costs the server a little on every statement
        os.environ["ACCORD_POSTGRES_EXTRA_OPTIONS"] = STATEMENTS_OPTIONS
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
            # start_all waits for the APIs and the gateway only: a worker that could not start (its metrics port
            # taken by another run as it started) would leave a stack that costs less per write for lack of it.
            for service in SERVICES:
                wait_ready(running.metrics[f"{service}-worker"])
            if worker_nice:
                nice_workers(worker_nice)
            if serve_:
                urls, bootstrap = running.urls, infra.bootstrap_servers
                asyncio.run(
                    serve(urls, idp, bootstrap, home, seconds, warm_up, settle, write_rate or 100, infra.admin_url)
                )
                return
            results = asyncio.run(
                run(
                    running.urls,
                    idp,
                    [float(r) for r in rates.split(",") if r],
                    seconds,
                    ingest_entries,
                    settle,
                    warm_up,
                    infra.bootstrap_servers,
                    paths.split(","),
                    write_rate,
                    home,
                    profile,
                    profile_worker,
                    profile_gateway,
                    infra.admin_url if statements else None,
                    infra.admin_url,
                )
            )
        finally:
            running.stop()
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()}
    results["warm_up_seconds"] = warm_up
    out = out or ROOT / "bench" / "results" / "api_load.json"
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
    if cost := results.get("cpu_per_write"):
        parts = ", ".join(
            f"{p} {ms:.2f}" for p, ms in sorted(cost["cpu_ms_per_write_by_part"].items(), key=lambda kv: -kv[1])
        )
        console.print(f"CPU per write at {cost['write_rate']}/s: {cost['cpu_ms_per_write']:.2f} ms ({parts})")
        console.print(f"Offset records written to {OFFSETS_TOPIC} a write: {cost['offset_records_per_write']:.2f}")
        if cost.get("server_statements"):
            found = Table(
                "role", "ms a write", "planning ms", "calls a write", "statement", title="PostgreSQL's time per write"
            )
            for st in cost["server_statements"]:
                times = f"{st['ms_per_write']:.3f}", f"{st['planning_ms_per_write']:.3f}"
                found.add_row(st["role"], *times, f"{st['calls_per_write']:.2f}", st["query"][:100])
            console.print(found)
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
    paths: list[str] | None = None,
    write_rate: int = 0,
    home: Path | None = None,
    profile: bool = False,
    profile_worker: str = "",
    profile_gateway: bool = False,
    statements_from: str | None = None,
    admin_url: str | None = None,
) -> dict[str, Any]:
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    with console.status("creating clients with agreed goals"):
        goals = [await setup(urls["gateway"], idp, tenant) for _ in range(CLIENTS)]
    if admin_url is not None:
        await analyzed(admin_url)
    mixed, tool = [], vegeta()
    work = home or ROOT / ".accord" / "bench"
    bases = {"gateway": f"{urls['gateway']}/api/v1", "direct": urls["progress"]}
    results: dict[str, Any] = {}
    if write_rate and home is not None:
        with console.status(f"CPU per write at {write_rate} writes/s through the gateway"):
            writes = write_targets(bases["gateway"], goals, work / "targets-writes.json")
            results["cpu_per_write"] = await cpu_per_write(
                tool, writes, write_rate, seconds, warm_up, bootstrap, home, statements_from
            )
    for rate in rates:
        for via in paths or ["gateway", "direct"]:
            with console.status(f"{rate:.0f} requests/s {via}"):
                target_file = targets(bases[via], goals, work / f"targets-{via}.json")
                mixed.append({"via": via, **open_model(tool, target_file, rate, seconds, warm_up, home)})
            with console.status("settling: the consumers work through the events of the step's writes"):
                # The step's backlog drains before the next step (so it does not weigh on it); how long that took
                # says whether the consumers kept up with the step's writes.
                mixed[-1] |= await drained(bootstrap, settle)
    console.print(mixed)
    if profile and home is not None:
        with console.status("profiling writes (a second progress API under cProfile)"):
            console.print(profiled_writes(tool, home, goals, write_rate or 100, seconds))
    if profile_worker and home is not None:
        with console.status(f"profiling the {profile_worker} worker under writes (cProfile)"):
            writes = write_targets(bases["gateway"], goals, work / "targets-writes.json")
            console.print(
                await profiled_worker(tool, home, profile_worker, writes, bootstrap, write_rate or 100, seconds)
            )
    if profile_gateway and home is not None:
        # The gateway's own CPU per request, unprofiled, for reads alone at the write rate: what a write is compared to.
        with console.status(f"CPU per read at {write_rate or 100} reads/s through the gateway"):
            reads = read_targets(bases["gateway"], goals, work / "targets-reads.json")
            results["cpu_per_read"] = await cpu_per_write(
                tool, reads, write_rate or 100, seconds, warm_up, bootstrap, home
            )
        console.print({"cpu_per_read": results["cpu_per_read"]})
        for kind in ("writes", "reads"):
            with console.status(f"profiling the gateway under {kind} (a second gateway under cProfile)"):
                console.print(profiled_gateway(tool, home, goals, kind, write_rate or 100, seconds))
    ingestion = {}
    for via in paths or ["gateway", "direct"]:
        if not ingest_entries:
            break
        with console.status(f"offline-sync ingestion {via}"):
            # Four devices syncing at once (a batch is one request of 50 entries).
            ingestion[via] = await ingest(bases[via], goals[:4], ingest_entries, per_batch=50)
    return {"mixed": mixed, "ingest_per_s": ingestion, "seconds_per_step": seconds, **results}


if __name__ == "__main__":
    app()
