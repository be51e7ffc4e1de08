"""Live inbox fan-out: many open event streams through the gateway, safety signals arriving on them.

    uv run python bench/live_fanout.py [--streams 1000] [--seconds 30] [--per-second 1]

Starts its own Kafka, PostgreSQL and every service as separate processes (as `scripts/up` does), all on 127.0.0.1.
Opens `--streams` streams (`GET /api/v1/notifications/stream`) through the gateway from this one process (aiohttp,
one connection each), each for a different therapist. Then, for `--seconds`, inserts `--per-second` safety-signal
inbox items a second for random recipients, *directly* into the notifications service's tables (its in-app delivery
row and the inbox item, committed together, as the service's consumer writes them): the item's triggers number it
and NOTIFY, and the service's one LISTEN connection fans it out. So this measures the live channel itself (commit ->
NOTIFY -> stream -> gateway -> client), not the Kafka path before it (the e2e test covers that path).

Delivery latency: from just before the inserting transaction began to the moment the event was read by the client.
Memory per open stream: the resident set (VmRSS, /proc) of the gateway's and the notifications API's processes before
the streams were opened and once all of them were live, divided by the number of streams.
Writes bench/results/live_fanout.json. Bounded: stops by itself after the signals and a short drain. Not a test.
"""

import asyncio
import json
import os
import platform
import random
import resource
import statistics
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import typer
from rich.console import Console

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.services import start_all

ROOT = Path(__file__).resolve().parents[1]
console = Console()
app = typer.Typer(add_completion=False)
TENANT = "bench-live"
OPENING_AT_ONCE = 50  # streams being opened concurrently: each open is an audited read at the service


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def api_pid(command: str, url: str) -> int:
    """The process running `accord-<service> api --port <url's port>` (this run's, not another one's)."""
    port = url.rsplit(":", 1)[1].encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(command.encode()) for a in argv[:2]) and b"api" in argv and port in argv:
            return int(cmdline.parent.name)
    raise RuntimeError(f"{command} api is not running")


class Streams:
    def __init__(self) -> None:
        self.sent_at: dict[str, float] = {}  # item id -> before its transaction began
        self.latencies: list[float] = []
        self.live = 0
        self.failed = 0
        self.refusals: Counter[int] = Counter()  # status -> how many streams it refused
        self.all_live = asyncio.Event()
        self.target = 0

    async def read(self, http: aiohttp.ClientSession, url: str, token: str, opened: asyncio.Semaphore) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        async with opened:
            response = await http.get(url, headers=headers)
        if response.status != 200:
            self.failed += 1
            self.refusals[response.status] += 1
            response.release()
            return
        event = ""
        try:
            async for raw in response.content:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "unread":
                    self.live += 1
                    if self.live == self.target:
                        self.all_live.set()
                    event = "seen"
                elif line.startswith("data: ") and event == "inbox":
                    received = time.perf_counter()
                    item = json.loads(line[6:])["id"]
                    if item in self.sent_at:
                        self.latencies.append(received - self.sent_at[item])
        except (aiohttp.ClientError, asyncio.CancelledError):
            pass
        finally:
            response.close()


async def insert_signal(db: asyncpg.Pool, recipient: uuid.UUID, streams: Streams) -> None:
    item = uuid.uuid4()
    streams.sent_at[str(item)] = time.perf_counter()
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id, channel, "
            "template_code, link_path, urgent, status, due_at) VALUES ($1, $2, $3, $3, $4, $5, 'in_app', "
            "'safety_signal', '/clients/x', true, 'sent', now())",
            item, TENANT, uuid.uuid4(), uuid.uuid4(), recipient,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path) "
            "VALUES ($1, $2, $3, 'safety_signal', '/clients/x')",
            item, TENANT, recipient,
        )  # fmt: skip


async def run(
    urls: dict[str, str], db_url: str, idp: DevIdentityProvider, n: int, seconds: float, rate: float
) -> dict[str, Any]:
    gateway = urls["gateway"]
    pids = {s: api_pid(f"accord-{s}", urls[s]) for s in ("gateway", "notifications")}
    recipients = [uuid.uuid4() for _ in range(n)]
    streams = Streams()
    streams.target = n
    db = await asyncpg.create_pool(db_url, min_size=1, max_size=4, server_settings={"search_path": "notifications"})
    assert db is not None
    url = f"{gateway}/api/v1/notifications/stream"
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.sleep(2)  # let the services settle after start
        before = {name: rss_kib(pid) for name, pid in pids.items()}
        opening = time.perf_counter()
        opened = asyncio.Semaphore(OPENING_AT_ONCE)
        readers = [
            asyncio.create_task(streams.read(http, url, idp.token(r, ["therapist"], TENANT, lifetime=3600), opened))
            for r in recipients
        ]
        async with asyncio.timeout(300):
            while not streams.all_live.is_set() and streams.live + streams.failed < n:
                await asyncio.sleep(0.2)
        open_seconds = time.perf_counter() - opening
        await asyncio.sleep(2)  # let allocations settle before reading memory
        after = {name: rss_kib(pid) for name, pid in pids.items()}
        console.print(f"{streams.live} streams live in {open_seconds:.1f} s ({streams.failed} refused)")

        sent = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            await insert_signal(db, random.choice(recipients), streams)
            sent += 1
            await asyncio.sleep(max(0.0, sent / rate - (time.perf_counter() - start)))
        del elapsed
        deadline = time.perf_counter() + 10
        while len(streams.latencies) < sent and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    await db.close()

    ms = sorted(x * 1000 for x in streams.latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p / 100 * len(ms)))] if ms else float("nan")

    return {
        "streams": n,
        "streams_live": streams.live,
        "streams_refused": streams.failed,
        "refusals_by_status": {str(k): v for k, v in streams.refusals.items()},
        "open_seconds": round(open_seconds, 2),
        "signals_sent": sent,
        "signals_received": len(ms),
        "latency_ms": {"p50": pct(50), "p99": pct(99), "max": ms[-1] if ms else None,
                       "mean": statistics.fmean(ms) if ms else None},
        "rss_kib_before": before,
        "rss_kib_after": after,
        "rss_kib_per_stream": {k: round((after[k] - before[k]) / max(1, streams.live), 1) for k in pids},
    }  # fmt: skip


@app.command()
def main(streams: int = 1000, seconds: float = 30.0, per_second: float = 1.0) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the services started below inherit it
    if hard < 3 * streams:
        raise SystemExit(f"the open-file limit ({hard}) is too low for {streams} streams")
    home = ROOT / ".accord" / "bench" / f"live-{os.getpid()}"
    idp = DevIdentityProvider()
    with console.status("starting Kafka, PostgreSQL and every service"), stack.running(home) as infra:
        running = start_all(
            {**infra.service_env(), **idp.env()},
            home / "logs",
            environment="test",
            extra_env={"ACCORD_GATEWAY_USER_BURST": "1000000", "ACCORD_GATEWAY_ADDRESS_BURST": "1000000",
                       "ACCORD_GATEWAY_ADDRESS_RATE_PER_SECOND": "100000"},
        )  # fmt: skip
        try:
            results = asyncio.run(
                run(running.urls, infra.service_urls["notifications"], idp, streams, seconds, per_second)
            )
        finally:
            running.stop()
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    results["nofile_limit"] = [soft, hard]
    out = ROOT / "bench" / "results" / "live_fanout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print_json(json.dumps(results))


if __name__ == "__main__":
    app()
