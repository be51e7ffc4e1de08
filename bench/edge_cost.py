"""What the Edge (accord.shared.edge, the outermost layer of every service and the gateway) costs per request, in
process, against the same app without it, and against the Edge of another commit, in the same run.

    uv run python bench/edge_cost.py [--ref HEAD~1] [--requests 50000] [--rounds 5]

Each request is a progress read as the read benchmarks send it (four headers, a 700-byte bearer token, no body),
answered by an app that sends a 757-byte body and does nothing else; once without an X-Request-ID (the Edge mints
one) and once with a plain one (the Edge keeps it). `--ref` loads that commit's `edge.py` (`git show`) as a module of
its own. Best of `--rounds` interleaved rounds, µs a request. Writes bench/results/edge_cost.json. Not a test.
"""

import asyncio
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from starlette.types import ASGIApp, Message

from accord.shared import edge

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
console = Console()
app = typer.Typer(add_completion=False)
BODY = b"x" * 757
PATH = "/progress/goals/3fa85f64-5717-4562-b3fc-2c963f66afa6"


async def answer(scope: dict[str, Any], receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"application/json"), (b"etag", b'"1.2.active"')]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


async def discard(message: Message) -> None:
    return None


async def no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def scope(request_id: bytes | None) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"user-agent", b"Go-http-client/1.1"),
        (b"authorization", b"Bearer " + b"a" * 700),
        (b"accept-encoding", b"gzip"),
    ]
    if request_id is not None:
        headers.append((b"x-request-id", request_id))
    return {
        "type": "http",
        "method": "GET",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "headers": headers,
    }


async def per_request(target: ASGIApp, request_id: bytes | None, n: int) -> float:
    for _ in range(min(n, 2000)):  # warm
        await target(scope(request_id), no_body, discard)
    started = time.perf_counter()
    for _ in range(n):
        await target(scope(request_id), no_body, discard)
    return (time.perf_counter() - started) / n * 1e6


def edge_at(commit: str, into: Path) -> types.ModuleType:
    """That commit's edge.py, imported from a copy under `into` as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{commit}:shared/src/accord/shared/edge.py"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    path = into / "edge_at_ref.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("edge_at_ref", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@app.command()
def main(ref: str | None = None, requests: int = 50_000, rounds: int = 5) -> None:
    targets: dict[str, ASGIApp] = {"no edge": answer, "edge": edge.Edge(answer, max_body_bytes=1 << 20)}
    if ref is not None:
        targets[f"edge@{ref}"] = edge_at(ref, Path(tempfile.mkdtemp(prefix="edge-"))).Edge(
            answer, max_body_bytes=1 << 20
        )
    cases = {"id minted": None, "id kept": b"req-1234"}
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for name, target in targets.items():
            for case, request_id in cases.items():
                took = asyncio.run(per_request(target, request_id, requests))
                best[name, case] = min(best.get((name, case), float("inf")), took)
    table = Table("layer", *cases)
    for name in targets:
        table.add_row(name, *(f"{best[name, case]:.2f} µs" for case in cases))
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "edge_cost.json").write_text(
        json.dumps(
            {
                "us_per_request": {f"{n} / {c}": round(v, 3) for (n, c), v in best.items()},
                "requests": requests,
                "rounds": rounds,
                "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]},
                "load": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    app()
