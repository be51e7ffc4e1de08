"""What the gateway itself costs: CPU of its process per proxied GET, beside the least any Python proxy on the same
stack costs (bench/passthrough.py: uvicorn + aiohttp and nothing else; and uvicorn + httpcore, the other client),
all in front of the same stand-in service.

    uv run python bench/gateway_overhead.py [--rates 250,500,1000] [--seconds 10] [--rounds 1]

Starts a stand-in service answering at once with a ~10 KB progress answer, the gateway as `scripts/up` starts it
(no database, no Kafka; authentication with the development identity provider's token, rate limits, headers,
access log, metrics) and the bare proxy. Each is driven by vegeta at each rate (open model), and each process's
CPU time is read from /proc. The service's own cost is left out on purpose: this is the gateway's share of a
request. Writes bench/results/gateway_overhead.json. Not a test.
"""

import json
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import typer
from api_load import vegeta
from rich.console import Console
from rich.table import Table

from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.services import spawn, wait_ready
from accord.shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
console = Console()
app = typer.Typer(add_completion=False)
UVICORN = [sys.executable, "-m", "uvicorn"]
UVICORN_QUIET = ["--no-access-log", "--log-level", "warning"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def attack(tool: str, targets: Path, pid: int, rate: int, seconds: float) -> dict[str, Any]:
    subprocess.run(
        [tool, "attack", "-format=json", f"-targets={targets}", "-rate=100/s", "-duration=2s"],
        check=True,
        capture_output=True,
    )  # warm: pooled connections open, token verified once
    before = cpu_seconds(pid)
    result = subprocess.run(
        [
            tool,
            "attack",
            "-format=json",
            f"-targets={targets}",
            f"-rate={rate}/s",
            f"-duration={seconds}s",
            "-max-workers=512",
        ],
        check=True,
        capture_output=True,
    )
    used = cpu_seconds(pid) - before
    report = json.loads(
        subprocess.run([tool, "report", "-type=json"], input=result.stdout, check=True, capture_output=True).stdout
    )
    return {
        "rate": rate,
        "achieved_per_s": report["throughput"],
        "p50_ms": report["latencies"]["50th"] / 1e6,
        "p99_ms": report["latencies"]["99th"] / 1e6,
        "errors": 1 - report["success"],
        "cpu_us_per_request": used / report["requests"] * 1e6,
    }


@app.command()
def main(rates: str = "250,500,1000", seconds: float = 10.0, rounds: int = 1) -> None:
    home = ROOT / ".accord" / "bench" / f"gateway-{os.getpid()}"
    idp, tool = DevIdentityProvider(), vegeta()
    with console.status("starting a stand-in service, the gateway and a bare proxy"):
        logs = home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        standin_port, gateway_port, bare_port, httpcore_port = free_port(), free_port(), free_port(), free_port()
        upstream = f"http://127.0.0.1:{standin_port}"
        env = {
            **os.environ,
            **idp.env(),
            "ACCORD_ENVIRONMENT": "test",
            "ACCORD_LOG_JSON": "true",
            **{f"ACCORD_GATEWAY_{s.upper()}_URL": upstream for s in SERVICES},
            **{f"ACCORD_GATEWAY_{k}": "1000000" for k in ("USER_BURST", "ADDRESS_BURST")},
            **{f"ACCORD_GATEWAY_{k}_RATE_PER_SECOND": "100000" for k in ("USER", "ADDRESS")},
            "BENCH_UPSTREAM": upstream,
        }
        processes = [
            spawn([sys.executable, str(BENCH / "passthrough.py"), str(standin_port)], env, logs / "standin.log"),
            spawn(["accord-gateway", "api", "--port", str(gateway_port)], env, logs / "gateway.log"),
            *(
                spawn(
                    [*UVICORN, f"passthrough:{app}", "--app-dir", str(BENCH), "--port", str(port), *UVICORN_QUIET],
                    env,
                    logs / f"{app}.log",
                )
                for app, port in (("bare_proxy", bare_port), ("bare_proxy_httpcore", httpcore_port))
            ),
        ]
        try:
            wait_for_port(standin_port, 30)
            wait_for_port(bare_port, 30)
            wait_for_port(httpcore_port, 30)
            wait_ready(f"http://127.0.0.1:{gateway_port}")
            ports = [gateway_port, bare_port, httpcore_port]
            results = measure(tool, home, idp, rates, seconds, processes, ports, rounds)
        finally:
            for process in processes:
                terminate(process.pid)
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    out = ROOT / "bench" / "results" / "gateway_overhead.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    table = Table("round", "proxy", "offered/s", "achieved/s", "p50 ms", "p99 ms", "errors", "CPU per request")
    for row in results["steps"]:
        table.add_row(
            str(row["round"]),
            row["proxy"],
            str(row["rate"]),
            f"{row['achieved_per_s']:.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['errors']:.2%}",
            f"{row['cpu_us_per_request']:.0f} µs",
        )
    console.print(table)


def measure(
    tool: str,
    home: Path,
    idp: DevIdentityProvider,
    rates: str,
    seconds: float,
    processes: list[subprocess.Popen[bytes]],
    ports: list[int],
    rounds: int,
) -> dict[str, Any]:
    token = idp.bearer(uuid.uuid4(), ["client"], "bench", lifetime=3600)
    path = f"/api/v1/progress/goals/{uuid.uuid4()}"
    steps = []
    names = ("gateway", "bare proxy", "bare proxy, httpcore")
    targets: list[tuple[str, Path, int]] = []
    for name, port, process in zip(names, ports, processes[1:], strict=True):
        target = home / f"targets-{name.replace(' ', '-').replace(',', '')}.json"
        line = {"method": "GET", "url": f"http://127.0.0.1:{port}{path}", "header": {k: [v] for k, v in token.items()}}
        target.write_text(json.dumps(line) + "\n")
        targets.append((name, target, process.pid))
    # Interleaved (each rate: every proxy in turn, `rounds` times), so the machine's drift falls on all alike.
    for n in range(rounds):
        for rate in (int(r) for r in rates.split(",")):
            for name, target, pid in targets:
                with console.status(f"round {n + 1}: {name}: {rate} requests/s"):
                    steps.append({"proxy": name, "round": n + 1, **attack(tool, target, pid, rate, seconds)})
                    time.sleep(1)
    return {"steps": steps, "seconds_per_step": seconds}


if __name__ == "__main__":
    app()
