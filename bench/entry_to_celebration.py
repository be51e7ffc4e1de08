"""Entry to celebration: from a young person's entry that reaches their target to the celebration on their inbox stream.

    uv run python bench/entry_to_celebration.py [--samples 100] [--pause 0.3] [--no-baseline]

Starts its own Kafka, PostgreSQL and every service as separate processes (as `scripts/up` does), all on 127.0.0.1,
then makes `--samples` clients, each with an agreed 0-10 goal whose target is 10 (through the gateway, as the app
does). For each client in turn, on an otherwise idle stack: open the client's inbox stream through the gateway
(`GET /api/v1/notifications/stream`), wait until it is live, then record a rating of 10 through the gateway and time
until the stream carries the target celebration. The whole path is measured: gateway -> progress API (entry, goal
reached, outbox, commit) -> relay -> Kafka -> notifications consumer (inbox item, NOTIFY) -> the open stream ->
gateway -> client. The clock runs from just before the entry's request is sent to the moment the stream's event is
read, in this process. Writes bench/results/entry_to_celebration.json. Not a test.

The machine's speed swings from hour to hour, so by default the same measurement is first taken on a stack whose
consumers run with the settings before the efficiency work (fetches held for 32 KiB or 100 ms, a 200 ms idle poll,
no pause between batches: `BEFORE`), then on a fresh stack with today's defaults, and the ratio is printed. The relay's
gather and the producer's linger are not settings, so the baseline has today's values for those.
"""

import asyncio
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp
import typer
from api_load import Goal, setup
from rich.console import Console

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.services import start_all

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)
TENANT = "bench-celebration"
SETTING_UP_AT_ONCE = 8
BEFORE = {  # consumer settings before the efficiency work, for every service
    f"ACCORD_{service}_{name}": value
    for service in ("GOALS", "PROGRESS", "NOTIFICATIONS", "REPORTING")
    for name, value in (
        ("CONSUMER_FETCH_MIN_BYTES", "32768"),
        ("CONSUMER_FETCH_MAX_WAIT_MS", "100"),
        ("CONSUMER_IDLE_POLL_MS", "200"),
        ("CONSUMER_GATHER_MS", "0"),
    )
}


async def one_sample(http: aiohttp.ClientSession, gateway: str, goal: Goal) -> float:
    """Seconds from sending the entry to reading its celebration on the client's open stream."""
    headers, goal_id = goal
    stream = await http.get(
        f"{gateway}/api/v1/notifications/stream", headers={**headers, "Accept": "text/event-stream"}
    )
    if stream.status != 200:
        raise RuntimeError(f"the stream answered {stream.status}")
    try:
        lines = stream.content.__aiter__()
        event = ""
        while event != "unread":  # the stream's first event says it is live
            line = (await anext(lines)).decode().rstrip("\r\n")
            event = line[7:] if line.startswith("event: ") else event
        sent = time.perf_counter()
        entry = {"kind": "rating", "value": 10, "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        async with http.post(f"{gateway}/api/v1/progress/goals/{goal_id}/entries", headers=headers, json=entry) as r:
            if r.status != 201:
                raise RuntimeError(f"the entry answered {r.status}: {await r.text()}")
        async with asyncio.timeout(30):
            while True:
                line = (await anext(lines)).decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "inbox":
                    received = time.perf_counter()
                    if json.loads(line[6:])["kind"] == "target_celebration":
                        return received - sent
    finally:
        stream.close()


async def run(gateway: str, idp: DevIdentityProvider, samples: int, pause: float) -> dict[str, Any]:
    with console.status(f"making {samples} clients with an agreed goal"):
        limit = asyncio.Semaphore(SETTING_UP_AT_ONCE)

        async def made() -> Goal:
            async with limit:
                return await setup(gateway, idp, TENANT)

        goals = await asyncio.gather(*(made() for _ in range(samples + 1)))
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    seconds: list[float] = []
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await one_sample(http, gateway, goals[0])  # warm-up: first connections, first statements prepared
        with console.status("entries, one at a time") as status:
            for goal in goals[1:]:
                await asyncio.sleep(pause)
                seconds.append(await one_sample(http, gateway, goal))
                status.update(f"entries, one at a time: {len(seconds)} of {samples}")
    ms = sorted(s * 1000 for s in seconds)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p / 100 * len(ms)))]

    return {
        "samples": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(pct(99), 1),
        "max_ms": round(ms[-1], 1),
        "min_ms": round(ms[0], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def measured(samples: int, pause: float, extra_env: dict[str, str], name: str) -> dict[str, Any]:
    home = ROOT / ".accord" / "bench" / f"celebration-{os.getpid()}-{name.split()[-1]}"
    idp = DevIdentityProvider()
    with console.status(f"{name}: starting Kafka, PostgreSQL and every service"), stack.running(home) as infra:
        env = {**infra.service_env(), **idp.env()}
        running = start_all(env, home / "logs", environment="test", extra_env=extra_env)
        try:
            result = asyncio.run(run(running.urls["gateway"], idp, samples, pause))
        finally:
            running.stop()
    console.print(
        f"{name}: entry to celebration on the stream, {result['samples']} samples: p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms (max {result['max_ms']}, min {result['min_ms']})"
    )
    return result


@app.command()
def main(samples: int = 100, pause: float = 0.3, baseline: bool = True) -> None:
    load_before = os.getloadavg()[0]
    results: dict[str, Any] = {}
    if baseline:
        results["consumer_settings_before"] = measured(samples, pause, BEFORE, "consumer settings before")
    results["now"] = now = measured(samples, pause, {}, "now")
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    results["load_average"] = {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)}
    results["at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = ROOT / "bench" / "results" / "entry_to_celebration.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print(f"now p50 {now['p50_ms']} ms, p99 {now['p99_ms']} ms (targets on an idle stack: 50 and 150)")
    if baseline:
        was = results["consumer_settings_before"]
        p50, p99 = now["p50_ms"] / was["p50_ms"], now["p99_ms"] / was["p99_ms"]
        console.print(f"now / consumer settings before, same run: p50 x{p50:.2f}, p99 x{p99:.2f}")


if __name__ == "__main__":
    app()
