"""What the gateway itself costs: CPU of its process per proxied GET, beside the least any Python proxy on the same
stack costs (bench/passthrough.py: uvicorn + aiohttp and nothing else; and uvicorn + httpcore, the other client),
all in front of the same stand-in service.

    uv run python bench/gateway_overhead.py [--rates 250,500,1000] [--seconds 10] [--rounds 1]

Starts a stand-in service answering at once with a ~10 KB progress answer, the gateway as `scripts/up` starts it
(no database, no Kafka; authentication with the development identity provider's token, rate limits, headers,
access log, metrics) and the bare proxy. Each is driven by vegeta at each rate (open model), and each process's
CPU time is read from /proc. The service's own cost is left out on purpose: this is the gateway's share of a
request. Writes bench/results/gateway_overhead.json. Not a test.

`--writes` also sends each gateway writes (an entry's POST with its JSON body, Content-Type and an Idempotency-Key,
as the write benches send them), measured apart from the reads; `--ref <commit>` runs a second gateway with that
commit's Python sources (first on its PYTHONPATH, as `api_load.py --ref` does) beside this checkout's, measured in
turns with it; `--no-bare` leaves the bare proxies out.
"""

import base64
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
from api_load import sources_of, vegeta
from rich.console import Console
from rich.table import Table

from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.services import spawn, wait_ready
from accord.shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
console = Console(width=160)
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
        "load": os.getloadavg()[0],
    }


@app.command()
def main(
    rates: str = "250,500,1000",
    seconds: float = 10.0,
    rounds: int = 1,
    writes: bool = False,
    ref: str | None = None,
    bare: bool = True,
) -> None:
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
        ]
        proxies = [("gateway", gateway_port)]
        if ref is not None:
            ref_port, sources = free_port(), sources_of(ref, home / "ref")
            ref_env = {**env, "PYTHONPATH": sources}
            processes.append(
                spawn(["accord-gateway", "api", "--port", str(ref_port)], ref_env, logs / "gateway-ref.log")
            )
            proxies.append((f"gateway {ref}", ref_port))
        for app_name, port, name in (
            ("bare_proxy", bare_port, "bare proxy"),
            ("bare_proxy_httpcore", httpcore_port, "bare proxy, httpcore"),
        ):
            if bare:
                argv = [
                    *UVICORN,
                    f"passthrough:{app_name}",
                    "--app-dir",
                    str(BENCH),
                    "--port",
                    str(port),
                    *UVICORN_QUIET,
                ]
                processes.append(spawn(argv, env, logs / f"{app_name}.log"))
                proxies.append((name, port))
        try:
            wait_for_port(standin_port, 30)
            for name, port in proxies:
                if name.startswith("gateway"):
                    wait_ready(f"http://127.0.0.1:{port}")
                else:
                    wait_for_port(port, 30)
            results = measure(tool, home, idp, rates, seconds, processes[1:], proxies, rounds, writes)
        finally:
            for process in processes:
                terminate(process.pid)
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    out = ROOT / "bench" / "results" / "gateway_overhead.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    table = Table(
        "round", "proxy", "requests", "offered/s", "achieved/s", "p50 ms", "p99 ms", "errors", "CPU per request"
    )
    for row in results["steps"]:
        table.add_row(
            str(row["round"]),
            row["proxy"],
            row["kind"],
            str(row["rate"]),
            f"{row['achieved_per_s']:.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['errors']:.2%}",
            f"{row['cpu_us_per_request']:.0f} µs",
            f"{row['load']:.1f}",
        )
    console.print(table)


def measure(
    tool: str,
    home: Path,
    idp: DevIdentityProvider,
    rates: str,
    seconds: float,
    processes: list[subprocess.Popen[bytes]],
    proxies: list[tuple[str, int]],
    rounds: int,
    writes: bool = False,
) -> dict[str, Any]:
    token = idp.bearer(uuid.uuid4(), ["client"], "bench", lifetime=3600)
    header = {k: [v] for k, v in token.items()}
    goal = uuid.uuid4()
    body = json.dumps({"kind": "rating", "value": 7, "occurred_at": "2026-11-29T08:00:00+00:00"}).encode()
    steps = []
    targets: list[tuple[str, str, Path, int]] = []
    for (name, port), process in zip(proxies, processes, strict=True):
        file = name.replace(" ", "-").replace(",", "")
        target = home / f"targets-{file}.json"
        line = {"method": "GET", "url": f"http://127.0.0.1:{port}/api/v1/progress/goals/{goal}", "header": header}
        target.write_text(json.dumps(line) + "\n")
        targets.append((name, "reads", target, process.pid))
        if writes and name.startswith("gateway"):
            target = home / f"targets-{file}-writes.json"
            lines = [
                {
                    "method": "POST",
                    "url": f"http://127.0.0.1:{port}/api/v1/progress/goals/{goal}/entries",
                    "body": base64.b64encode(body).decode(),
                    "header": {**header, "Content-Type": ["application/json"], "Idempotency-Key": [str(uuid.uuid4())]},
                }
                for _ in range(100)
            ]
            target.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
            targets.append((name, "writes", target, process.pid))
    # Interleaved (each rate: every proxy in turn, `rounds` times), so the machine's drift falls on all alike.
    for n in range(rounds):
        for rate in (int(r) for r in rates.split(",")):
            for name, kind, target, pid in targets:
                with console.status(f"round {n + 1}: {name}: {rate} {kind}/s"):
                    steps.append(
                        {"proxy": name, "kind": kind, "round": n + 1, **attack(tool, target, pid, rate, seconds)}
                    )
                    time.sleep(1)
    return {"steps": steps, "seconds_per_step": seconds}


if __name__ == "__main__":
    app()
