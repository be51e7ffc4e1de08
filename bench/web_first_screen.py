"""The young person's first screen: how soon Today is usable, cold and warm, on an emulated slow phone and network.

    (cd web && uv run --frozen npx vite build)      # the app the gateway serves (web/dist)
    uv run python bench/web_first_screen.py [--runs 5] [--dist web/dist]

Starts its own Kafka, PostgreSQL, every service, the gateway serving web/dist and the development identity provider
(as `scripts/up` does, all on 127.0.0.1), puts the demo data in (Sam's two agreed goals), then drives Chromium
(bench/web_first_screen.mjs, Playwright over the Chrome DevTools Protocol): Sam signs in once; each run opens the app
in a fresh browser context holding only the session cookie (cold: empty HTTP cache, no service worker, no IndexedDB),
then again in the same context once the service worker is active (warm: precached shell, HTTP cache, persisted
queries). Each run measures two profiles back to back, so the machine's speed of the moment affects both alike:

- `unthrottled`: no emulation (the baseline of the ratio);
- `slow-phone-3g`: `Emulation.setCPUThrottlingRate` 4, and `Network.emulateNetworkConditions` with the figures of
  Chrome DevTools' "Slow 3G" preset (`Slow3GConditions` in devtools-frontend's front_end/core/sdk/NetworkManager.ts):
  download and upload 500 * 1000 / 8 * 0.8 = 50,000 bytes/s (400 kbit/s), latency 400 * 5 = 2,000 ms
  (DevTools' latency is per request, on top of the loopback's own).

Usable: the heading "Hi Sam" and a "Record progress" control visible and enabled (its goals have arrived), from
navigation start. LCP: the last largest-contentful-paint entry before that. Writes bench/results/web_first_screen.json
(every run, and every request's timing of the first run of each profile). Not a test: no budget is asserted.
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import stack
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.services import start_all

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import seed_demo  # noqa: E402  (scripts/ is not a package)

console = Console()
app = typer.Typer(add_completion=False)
SLOW_3G = {"latency_ms": 2000, "download_bytes_per_s": 50_000, "upload_bytes_per_s": 50_000}
PROFILES = [
    {"name": "unthrottled", "cpu": 1, "latency_ms": 0, "download_bytes_per_s": -1, "upload_bytes_per_s": -1},
    {"name": "slow-phone-3g", "cpu": 4, **SLOW_3G},
]
BUDGET_MS = 2500


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values)),
        "min": round(min(values)),
        "max": round(max(values)),
        "n": len(values),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for profile in PROFILES:
        name = str(profile["name"])
        mine = [r for r in runs if r["profile"] == name]
        summary[name] = {
            visit: {
                "usable_ms": spread([r[visit]["usable"] for r in mine]),
                "lcp_ms": spread([r[visit]["lcp"] for r in mine if r[visit]["lcp"] is not None] or [0]),
                "bytes_transferred": spread([sum(q["transfer"] for q in r[visit]["requests"]) for r in mine]),
                "requests": spread([len(r[visit]["requests"]) for r in mine]),
            }
            for visit in ("cold", "warm")
        }
    # The ratio per run (same minute, same machine load), then its median.
    for visit in ("cold", "warm"):
        pairs = zip(
            [r for r in runs if r["profile"] == "slow-phone-3g"],
            [r for r in runs if r["profile"] == "unthrottled"],
            strict=True,
        )
        ratios = [slow[visit]["usable"] / max(1.0, fast[visit]["usable"]) for slow, fast in pairs]
        summary[f"ratio_{visit}"] = round(statistics.median(ratios), 1)
    return summary


def measure(gateway: str, runs: int) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH: run through `uv run`")
    env = {
        **os.environ,
        "ACCORD_BENCH_BASE_URL": gateway,
        "ACCORD_BENCH_RUNS": str(runs),
        "ACCORD_BENCH_PROFILES": json.dumps(PROFILES),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }
    script = ROOT / "bench" / "web_first_screen.mjs"
    done = subprocess.run([node, str(script)], env=env, stdout=subprocess.PIPE, check=True, timeout=3600)
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def show(summary: dict[str, Any]) -> None:
    table = Table("profile", "visit", "usable median (min-max) ms", "LCP median ms", "requests", "bytes")
    for profile in PROFILES:
        name = str(profile["name"])
        for visit in ("cold", "warm"):
            s = summary[name][visit]
            u = s["usable_ms"]
            mark = "" if name == "unthrottled" else (" ✔" if u["median"] <= BUDGET_MS else " ✘")
            table.add_row(
                name,
                visit,
                f"{u['median']} ({u['min']}-{u['max']}){mark}",
                str(s["lcp_ms"]["median"]),
                str(s["requests"]["median"]),
                str(s["bytes_transferred"]["median"]),
            )
    console.print(table)
    console.print(f"slow / unthrottled: cold x{summary['ratio_cold']}, warm x{summary['ratio_warm']}")


@app.command()
def main(runs: int = 5, dist: Path = ROOT / "web" / "dist") -> None:
    """--dist: another build of the app (e.g. a copy of an earlier one, to compare)."""
    if not (dist / "index.html").is_file():
        raise SystemExit("build the app first: (cd web && uv run --frozen npx vite build)")
    home = ROOT / ".accord" / "bench" / f"web-{os.getpid()}"
    idp = DevIdentityProvider()
    with console.status("starting Kafka, PostgreSQL and every service"), stack.running(home) as infra:
        running = start_all(
            {**infra.service_env(), **idp.env()},
            home / "logs",
            environment="test",
            identity=idp,
            extra_env={"ACCORD_GATEWAY_WEB_DIST_DIR": str(dist)},
        )
        try:
            seed_demo.seed(running.gateway, idp)
            results = measure(running.gateway, runs)
        finally:
            running.stop()
    summary = summarise(results)
    show(summary)
    out = ROOT / "bench" / "results" / "web_first_screen.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average": os.getloadavg()}
    report = {"profiles": PROFILES, "summary": summary, "machine": machine, "runs": results}
    out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    app()
