"""The efficiency issue's read targets, each as a ratio against its baseline measured in the same run: a cached
progress read straight to its service against a bare FastAPI JSON endpoint, and the same read through the gateway
against the direct one.

    uv run python bench/read_ratios.py [--seconds 8] [--rounds 3] [--connections 32]

Starts its own Kafka, PostgreSQL and every service as separate processes (as `scripts/up` does), creates a client
with an agreed goal and a few entries (a progress answer of about 1 KB), and a bare FastAPI app in its own uvicorn
process answering a JSON document of the same size with nothing else (no authentication, audit, database). Then
drives each closed-loop (a fixed number of connections, each sending its next request when the last is answered)
with vegeta, in interleaved rounds (bare, direct, gateway, bare, …) so that the machine's drift from minute to minute
falls on all three alike, and reports each round's throughput and the median ratios. Writes
bench/results/read_ratios.json. Not a test.
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
from typing import Any

import httpx
import psutil
import typer
from api_load import setup, vegeta
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.processes import terminate
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


def closed_loop(tool: str, target: dict[str, Any], connections: int, seconds: float) -> dict[str, Any]:
    """As many requests as `connections` workers can send one after another (vegeta with an unlimited rate)."""
    line = json.dumps(target) + "\n"
    attack = subprocess.run(
        [
            tool,
            "attack",
            "-format=json",
            "-rate=0",
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


def profiled_read(tool: str, home: Path, direct: dict[str, Any], connections: int, seconds: float) -> str:
    """A second progress API, started with the first one's environment under cProfile, driven as the direct read
    was; the functions that took most of its time (cProfile slows everything, so read shares, not speeds)."""
    api = next(
        p
        for p in psutil.process_iter(["cmdline"])
        if (cmd := p.info["cmdline"] or [])[1:3] and cmd[1].endswith("accord-progress") and cmd[2] == "api"
    )
    port, out = free_port(), home / "progress-read.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "uvicorn", "accord.progress.bootstrap:create_api"]
    argv += ["--factory", f"--port={port}", "--no-access-log", "--log-level=warning"]
    profiled = subprocess.Popen(argv, env=api.environ(), cwd=home)
    try:
        wait_for_port(port, 60)
        original = direct["url"].split("/progress/", 1)[0]
        target = {**direct, "url": direct["url"].replace(original, f"http://127.0.0.1:{port}")}
        closed_loop(tool, target, connections, seconds)
    finally:
        profiled.send_signal(2)  # uvicorn stops cleanly on SIGINT, and cProfile writes its file as Python exits
        profiled.wait(60)
    text = io.StringIO()
    pstats.Stats(str(out), stream=text).sort_stats("tottime").print_stats(30)
    return text.getvalue()


@app.command()
def main(
    seconds: float = 8.0, rounds: int = 3, connections: int = 32, warm_up: float = 2.0, profile: bool = False
) -> None:
    home = ROOT / ".accord" / "bench" / f"ratios-{os.getpid()}"
    idp = DevIdentityProvider()
    tool = vegeta()
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
        bare = None
        try:
            headers, goal, answer = asyncio.run(a_goal_with_entries(running.gateway, idp))
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
            measured: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            for target in targets.values():
                closed_loop(tool, target, connections, warm_up)  # pools, caches and connections warm
            for n in range(rounds):
                for name, target in targets.items():
                    with console.status(f"round {n + 1} of {rounds}: {name}"):
                        measured[name].append(closed_loop(tool, target, connections, seconds))
                        time.sleep(1)
            if profile:
                with console.status("profiling the direct read (a second progress API under cProfile)"):
                    console.print(profiled_read(tool, home, targets["direct"], connections, seconds))
        finally:
            if bare is not None:
                terminate(bare.pid)
            running.stop()
    per_round = [
        {
            "direct_over_bare": measured["direct"][i]["per_s"] / measured["bare"][i]["per_s"],
            "gateway_over_direct": measured["gateway"][i]["per_s"] / measured["direct"][i]["per_s"],
        }
        for i in range(rounds)
    ]
    results = {
        "measured": measured,
        "ratios_per_round": per_round,
        "median_direct_over_bare": statistics.median(r["direct_over_bare"] for r in per_round),
        "median_gateway_over_direct": statistics.median(r["gateway_over_direct"] for r in per_round),
        "answer_bytes": len(answer),
        "connections": connections,
        "seconds_per_round": seconds,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()},
    }
    out = ROOT / "bench" / "results" / "read_ratios.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    table = Table("round", "bare/s", "direct/s", "gateway/s", "direct ÷ bare", "gateway ÷ direct")
    for i, r in enumerate(per_round):
        table.add_row(
            str(i + 1),
            f"{measured['bare'][i]['per_s']:.0f}",
            f"{measured['direct'][i]['per_s']:.0f}",
            f"{measured['gateway'][i]['per_s']:.0f}",
            f"{r['direct_over_bare']:.0%}",
            f"{r['gateway_over_direct']:.0%}",
        )
    console.print(table)
    console.print(
        f"median: direct {results['median_direct_over_bare']:.0%} of bare (target ≥ 45%), "
        f"gateway {results['median_gateway_over_direct']:.0%} of direct (target ≥ 85%); answer {len(answer)} bytes"
    )


if __name__ == "__main__":
    app()
