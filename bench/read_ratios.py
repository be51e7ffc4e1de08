"""The efficiency issue's read targets, each as a ratio against its baseline measured in the same run: a cached
progress read straight to its service against a bare FastAPI JSON endpoint, and the same read through the gateway
against the direct one.

    uv run python bench/read_ratios.py [--seconds 8] [--rounds 3] [--connections 32] [--ref main] [--profile]

Starts its own Kafka, PostgreSQL and every service as separate processes (as `scripts/up` does), creates a client
with an agreed goal and a few entries (a progress answer of about 1 KB), and a bare FastAPI app in its own uvicorn
process answering a JSON document of the same size with nothing else (no authentication, audit, database). Then
drives each closed-loop (a fixed number of connections, each sending its next request when the last is answered)
with vegeta, in interleaved rounds (bare, direct, gateway, bare, …) so that the machine's drift from minute to minute
falls on all three alike, and reports each round's throughput and the median ratios. Writes
bench/results/read_ratios.json. Not a test.

`--ref <commit>` also measures that commit's code in the same rounds: its services' and shared sources (`git
archive`) come first on the PYTHONPATH of a second progress API and a second gateway (in front of that API),
started with the first ones' environment on the same database, so a change is measured against its starting point
on the same machine in the same minute (`direct@ref`, `gateway@ref`). Only the Python sources differ: the
dependencies are this checkout's.

`--goals N` adds N more goals to the database before measuring (copies of the read's goal in another tenant, the
planner's statistics updated), so that the read is planned as it would be in a service past its first days.
"""

import asyncio
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psutil
import typer
from api_load import setup, stack_cpu, vegeta
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.provision import DATABASE
from accord.devtools.infra.services import start_all

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)

# The bare baseline: the least a FastAPI JSON endpoint costs on the same server (uvicorn, one process, access log
# off, as the services run), answering a body of the progress read's size.
BARE_APP = """
import json, os
from fastapi import FastAPI
body = json.loads(os.environ["BENCH_BODY"])
app = FastAPI()

@app.get("/read")
async def read() -> dict:
    return body
"""


def closed_loop(tool: str, target: dict[str, Any], connections: int, seconds: float, rate: int = 0) -> dict[str, Any]:
    """As many requests as `connections` workers can send one after another (vegeta with an unlimited rate), or
    `rate` a second when given."""
    line = json.dumps(target) + "\n"
    attack = subprocess.run(
        [
            tool,
            "attack",
            "-format=json",
            f"-rate={rate}",
            f"-workers={connections}",
            f"-max-workers={connections}",
            f"-connections={connections}",
            f"-duration={seconds}s",
            "-timeout=30s",
        ],
        input=line.encode(),
        check=True,
        capture_output=True,
    ).stdout
    report = json.loads(
        subprocess.run([tool, "report", "-type=json"], input=attack, check=True, capture_output=True).stdout
    )
    return {
        "per_s": report["throughput"],
        "p50_ms": report["latencies"]["50th"] / 1e6,
        "p99_ms": report["latencies"]["99th"] / 1e6,
        "errors": 1 - report["success"],
        "bytes_in_mean": report["bytes_in"]["mean"],
    }


async def a_goal_with_entries(gateway: str, idp: DevIdentityProvider) -> tuple[dict[str, str], str, bytes]:
    headers, goal = await setup(gateway, idp, f"bench-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=30) as http:
        for days in range(4, 0, -1):
            at = datetime.now(UTC).isoformat()
            r = await http.post(
                f"/progress/goals/{goal}/entries",
                headers=headers,
                json={"kind": "rating", "value": 5 + days % 3, "occurred_at": at},
            )
            assert r.status_code < 300, r.text
        answer = (await http.get(f"/progress/goals/{goal}", headers=headers)).content
    return headers, goal, answer


async def more_goals(admin_url: str, like: str, count: int) -> None:
    """`count` more goals in the progress service's table, copies of goal `like`'s row (whatever its columns) in a
    tenant of their own, and the planner's statistics brought up to date: a database past its first days rather than
    one holding a single goal. How PostgreSQL plans the read's lookup depends on it."""
    conn = await asyncpg.connect(urlunsplit(urlsplit(admin_url)._replace(path=f"/{DATABASE}")))
    try:
        await conn.execute(
            "INSERT INTO progress.goals SELECT (jsonb_populate_record(NULL::progress.goals, to_jsonb(g) || "
            "jsonb_build_object('goal_id', gen_random_uuid(), 'tenant_id', 'bench-filler'))).* "
            "FROM progress.goals g, generate_series(1, $2) WHERE g.goal_id = $1::uuid",
            like,
            count,
        )
        await conn.execute("ANALYZE progress.goals")
    finally:
        await conn.close()


def running_api(service: str) -> psutil.Process:
    """The API process `start_all` started for `service` in this run (its environment is the one to copy): among
    this process's own children, never another run's on the same machine."""
    return min(
        (
            p
            for p in psutil.Process().children(recursive=True)
            if (cmd := p.cmdline())[1:3] and cmd[1].endswith(f"accord-{service}") and cmd[2] == "api"
        ),
        key=lambda p: p.create_time(),  # the first started: `--ref` starts its own the same way, later
    )


def sources_of(ref: str, into: Path) -> str:
    """The Python sources of every workspace package at `ref`, as a PYTHONPATH."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref, "services", "shared"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return os.pathsep.join(str(src) for src in [*sorted(into.glob("*/*/src")), into / "shared" / "src"])


def apis_at_ref(ref: str, home: Path) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    """A progress API and a gateway in front of it, both running `ref`'s code: (processes, progress, gateway).

    Started exactly as `start_all` starts this checkout's (the same console script, `api --port --metrics-port`,
    a session of their own, stdout and stderr to one log file), only PYTHONPATH differing: started another way
    (`python -m uvicorn`), the same code cost 9-32% more CPU per read, which no before/after could see past."""
    path = sources_of(ref, home / "ref")
    started: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    for service in ("progress", "gateway"):
        running = running_api(service)
        env = {**running.environ(), "PYTHONPATH": path}
        if service == "gateway":
            env["ACCORD_GATEWAY_PROGRESS_URL"] = urls[0]
        port = free_port()
        argv = [*running.cmdline()[:3], "--port", str(port), "--metrics-port", str(free_port())]
        log = (home / "logs" / f"{service}-at-ref.log").open("ab")
        started.append(
            subprocess.Popen(
                argv, env=env, cwd=running.cwd(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
        wait_for_port(port, 60)
        urls.append(f"http://127.0.0.1:{port}")
    return started, urls[0], urls[1]


def stack_processes(home: Path) -> list[psutil.Process]:
    """Every process of this run's stack: this process's children (services, Kafka; not the load generator) and
    PostgreSQL's (started detached, found by its data directory)."""
    found = [p for p in psutil.Process().children(recursive=True) if "vegeta" not in p.name()]
    for p in psutil.process_iter(["cmdline"]):
        if str(home / "postgres") in " ".join(p.info["cmdline"] or []):
            found += [p, *p.children(recursive=True)]
    return found


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for p in processes:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_per_read(
    tool: str, home: Path, target: dict[str, Any], rate: int, seconds: float, front: psutil.Process
) -> dict[str, float]:
    """CPU of the whole stack per read at a fixed rate below saturation: less sensitive than throughput to what else
    the machine runs (its idle work, the workers' polling, falls on every target alike). Also the CPU of `front`
    alone, the process the load generator talks to (the progress API for a direct read, the gateway for a read
    through it): the gateway's own cost per read, without the rest of the stack's idle work in it."""
    processes = stack_processes(home)
    before, front_before, parts_before = cpu_seconds(processes), cpu_seconds([front]), stack_cpu(home)
    result = closed_loop(tool, target, 32, seconds, rate=rate)
    spent, front_spent = cpu_seconds(processes) - before, cpu_seconds([front]) - front_before
    parts = stack_cpu(home)
    reads = result["per_s"] * seconds
    by_part = {part: round((parts[part] - parts_before.get(part, 0.0)) * 1000 / reads, 3) for part in parts}
    return {
        "cpu_ms_per_read": spent * 1000 / reads,
        "front_cpu_ms_per_read": front_spent * 1000 / reads,
        "by_part": dict(sorted(by_part.items(), key=lambda kv: -kv[1])),
        **result,
    }


def profiled_read(tool: str, home: Path, service: str, target: dict[str, Any], connections: int, seconds: float) -> str:
    """A second API of `service`, started with the first one's environment under cProfile, driven as `target` (its
    read through the first) was; the functions that took most of its time (cProfile slows everything, so read shares,
    not speeds). The whole profile stays in the bench's home as <service>-read.prof."""
    api = running_api(service)
    port, out = free_port(), home / f"{service}-read.prof"
    factory = f"accord.{service}.bootstrap:create_api"
    argv = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "uvicorn", factory]
    argv += ["--factory", f"--port={port}", "--no-access-log", "--log-level=warning", "--no-proxy-headers"]
    log = (home / "logs" / f"{service}-profiled.log").open("ab")
    profiled = subprocess.Popen(argv, env=api.environ(), cwd=home, stdout=log, stderr=log)
    try:
        wait_for_port(port, 60)
        original = target["url"].split("/", 3)[:3]  # scheme, "", host:port
        url = target["url"].replace("/".join(original), f"http://127.0.0.1:{port}", 1)
        closed_loop(tool, {**target, "url": url}, connections, seconds)
    finally:
        profiled.send_signal(2)  # uvicorn stops cleanly on SIGINT, and cProfile writes its file as Python exits
        profiled.wait(60)
    text = io.StringIO()
    pstats.Stats(str(out), stream=text).sort_stats("tottime").print_stats(30)
    return text.getvalue()


@app.command()
def main(
    seconds: float = 8.0,
    rounds: int = 3,
    connections: int = 32,
    warm_up: float = 2.0,
    profile: bool = False,
    ref: str | None = None,
    cpu_rate: int = 0,
    cpu_closed: bool = False,
    goals: Annotated[int, typer.Option(help="this many more goals in the database (0: the read's goal alone)")] = 0,
) -> None:
    home = ROOT / ".accord" / "bench" / f"ratios-{os.getpid()}"
    idp = DevIdentityProvider()
    tool = vegeta()
    # --cpu-closed: the CPU per read at saturation (32 connections, closed loop), where reads in flight together
    # can share work; --cpu-rate: at a fixed rate below it.
    cpu_load = "a closed loop of 32 connections" if cpu_closed else f"{cpu_rate}/s"
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
        bare, at_ref = None, list[subprocess.Popen[bytes]]()
        try:
            headers, goal, answer = asyncio.run(a_goal_with_entries(running.gateway, idp))
            if goals:
                asyncio.run(more_goals(infra.admin_url, goal, goals))
            port = free_port()
            script = home / "bare_app.py"
            script.write_text(BARE_APP)
            bare = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_app:app",
                    f"--port={port}",
                    "--no-access-log",
                    "--log-level=warning",
                ],
                cwd=home,
                env={**os.environ, "BENCH_BODY": answer.decode()},
            )
            wait_for_port(port, 30)
            hdrs = {k: [v] for k, v in headers.items()}
            targets: dict[str, dict[str, Any]] = {
                "bare": {"method": "GET", "url": f"http://127.0.0.1:{port}/read"},
                "direct": {"method": "GET", "url": f"{running.urls['progress']}/progress/goals/{goal}", "header": hdrs},
                "gateway": {"method": "GET", "url": f"{running.gateway}/api/v1/progress/goals/{goal}", "header": hdrs},
            }
            if ref is not None:
                at_ref, ref_direct, ref_gateway = apis_at_ref(ref, home)
                targets["direct@ref"] = {**targets["direct"], "url": f"{ref_direct}/progress/goals/{goal}"}
                targets["gateway@ref"] = {**targets["gateway"], "url": f"{ref_gateway}/api/v1/progress/goals/{goal}"}
            measured: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            for target in targets.values():
                closed_loop(tool, target, connections, warm_up)  # pools, caches and connections warm
            for n in range(rounds):
                for name, target in targets.items():
                    with console.status(f"round {n + 1} of {rounds}: {name}"):
                        measured[name].append(closed_loop(tool, target, connections, seconds))
                        time.sleep(1)
            cpu: dict[str, list[dict[str, float]]] = {name: [] for name in targets if name != "bare"}
            fronts = {"direct": running_api("progress"), "gateway": running_api("gateway")}
            if at_ref:
                fronts |= {"direct@ref": psutil.Process(at_ref[0].pid), "gateway@ref": psutil.Process(at_ref[1].pid)}
            for _ in range(rounds if cpu_rate or cpu_closed else 0):
                for name in cpu:
                    with console.status(f"CPU per read of {name} at {cpu_load}"):
                        rate = 0 if cpu_closed else cpu_rate
                        cpu[name].append(cpu_per_read(tool, home, targets[name], rate, seconds, fronts[name]))
                        time.sleep(1)
            if profile:
                for service, name in (("progress", "direct"), ("gateway", "gateway")):
                    with console.status(f"profiling the {name} read (a second {service} API under cProfile)"):
                        console.print(profiled_read(tool, home, service, targets[name], connections, seconds))
        finally:
            for process in [*at_ref, *([bare] if bare is not None else [])]:
                terminate(process.pid)
            running.stop()
    suffixes = ["", "@ref"] if ref is not None else [""]
    per_round = [
        {
            f"{name}{at}": value
            for at in suffixes
            for name, value in (
                ("direct_over_bare", measured[f"direct{at}"][i]["per_s"] / measured["bare"][i]["per_s"]),
                ("gateway_over_direct", measured[f"gateway{at}"][i]["per_s"] / measured[f"direct{at}"][i]["per_s"]),
            )
        }
        for i in range(rounds)
    ]
    results = {
        "more_goals": goals,
        "measured": measured,
        "cpu_per_read": cpu,
        "ratios_per_round": per_round,
        "median_direct_over_bare": statistics.median(r["direct_over_bare"] for r in per_round),
        "median_gateway_over_direct": statistics.median(r["gateway_over_direct"] for r in per_round),
        **(
            {
                "ref": ref,
                "median_direct_over_bare@ref": statistics.median(r["direct_over_bare@ref"] for r in per_round),
                "median_gateway_over_direct@ref": statistics.median(r["gateway_over_direct@ref"] for r in per_round),
            }
            if ref is not None
            else {}
        ),
        "answer_bytes": len(answer),
        "connections": connections,
        "seconds_per_round": seconds,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()},
    }
    out = ROOT / "bench" / "results" / "read_ratios.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    table = Table("round", "code", "bare/s", "direct/s", "gateway/s", "direct ÷ bare", "gateway ÷ direct")
    for i, r in enumerate(per_round):
        for at in suffixes:
            table.add_row(
                str(i + 1),
                ref if at else "this checkout",
                f"{measured['bare'][i]['per_s']:.0f}",
                f"{measured[f'direct{at}'][i]['per_s']:.0f}",
                f"{measured[f'gateway{at}'][i]['per_s']:.0f}",
                f"{r[f'direct_over_bare{at}']:.0%}",
                f"{r[f'gateway_over_direct{at}']:.0%}",
            )
    console.print(table)
    for at in suffixes:
        console.print(
            f"median ({ref if at else 'this checkout'}): direct {results[f'median_direct_over_bare{at}']:.0%} of bare "
            f"(target ≥ 45%), gateway {results[f'median_gateway_over_direct{at}']:.0%} of direct (target ≥ 85%)"
        )
    for name, runs in cpu.items():
        per_read = ", ".join(f"{r['cpu_ms_per_read']:.2f}" for r in runs)
        front = ", ".join(f"{r['front_cpu_ms_per_read']:.2f}" for r in runs)
        console.print(f"CPU per read, {name} at {cpu_load}: whole stack {per_read} ms; the process called {front} ms")
        for r in runs:
            console.print(
                "  by part (ms, idle work included): "
                + ", ".join(f"{k} {v:.2f}" for k, v in r["by_part"].items() if v >= 0.01)
            )
    console.print(f"answer {len(answer)} bytes; load average {os.getloadavg()}")


if __name__ == "__main__":
    app()
