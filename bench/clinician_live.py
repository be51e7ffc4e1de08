"""A young person's safety answer on the therapist's open screen: how long from submit to visible, in a browser.

    uv run python bench/clinician_live.py [--runs 20]

Starts its own Kafka, PostgreSQL, every service, the development identity provider and the gateway serving web/dist
(build it first: `cd web && uv run --frozen npx vite build`), as separate processes on 127.0.0.1, as `scripts/up`
does. Alex opens Casey's episode (API, bearer token). Then Playwright (Debian's Chromium) signs Alex in, in one
browser context, on the caseload, and Casey in another; Casey submits a PHQ-9 whose item 9 is above 0, `--runs`
times after one warm-up (web/e2e-stack/safety-latency.bench.ts). Each delay runs from just before the click on
"Send my answers" to the moment the new safety signal is in Alex's page (a MutationObserver; both clocks are this
machine's). The path measured: browser -> gateway -> progress (commit, outbox) -> Kafka -> notifications (inbox
item, NOTIFY) -> the open event stream -> gateway -> Alex's page, rendered.
Writes bench/results/clinician_live.json. Not a test.
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import typer
from rich.console import Console

from accord.devtools.infra import stack
from accord.devtools.infra.demo_users import DEMO_OTHER_TEAM, DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.services import start_all

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
console = Console()
app = typer.Typer(add_completion=False)


def open_caseys_episode(gateway: str, idp: DevIdentityProvider) -> None:
    alex = {"Authorization": f"Bearer {idp.token(DEMO_USERS['alex'].sub, ['therapist'], DEMO_TENANT)}"}
    body = {"episode_id": str(uuid4()), "client_id": str(DEMO_USERS["casey"].sub), "team_id": str(DEMO_TEAM)}
    r = httpx.post(f"{gateway}/api/v1/episodes", json=body, headers=alex, timeout=30)
    r.raise_for_status()
    # Casey's questionnaires are refused (409) until the progress service has heard of her episode through Kafka:
    # a PHQ-9 of all zeros (no safety signal) is sent until it is taken.
    casey = {"Authorization": f"Bearer {idp.token(DEMO_USERS['casey'].sub, ['client'], DEMO_TENANT)}"}
    deadline = time.monotonic() + 60
    while True:
        calm = {"response_id": str(uuid4()), "instrument": "PHQ-9", "answers": [0] * 9,
                "occurred_at": datetime.now(UTC).isoformat()}  # fmt: skip
        r = httpx.post(f"{gateway}/api/v1/progress/questionnaires", json=calm, headers=casey, timeout=30)
        if r.status_code == 201:
            return
        if r.status_code != 409 or time.monotonic() > deadline:
            raise RuntimeError(f"Casey's episode did not reach the progress service: {r.status_code} {r.text}")
        time.sleep(0.5)


def browser_runs(gateway: str, runs: int, out: Path) -> list[float]:
    uv = shutil.which("uv")
    assert uv, "uv is needed to run the pinned Node"
    people = {login: str(user.sub) for login, user in DEMO_USERS.items()}
    env = {
        **os.environ,
        "ACCORD_WEB_BASE_URL": gateway,
        "ACCORD_E2E_PEOPLE": json.dumps({**people, "team": str(DEMO_TEAM), "other_team": str(DEMO_OTHER_TEAM)}),
        "ACCORD_BENCH_RUNS": str(runs),
        "ACCORD_BENCH_OUT": str(out),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }
    argv = [uv, "run", "--frozen", "npx", "playwright", "test", "-c", "playwright.bench.config.ts"]
    run = subprocess.run(argv, cwd=WEB, env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(run.stdout[-6000:] + run.stderr[-2000:])
    delays: list[float] = json.loads(out.read_text())["delays_ms"]
    return delays


def summary(ms: list[float]) -> dict[str, Any]:
    ordered = sorted(ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return {"runs": len(ms), "p50": pct(50), "p95": pct(95), "max": ordered[-1], "min": ordered[0],
            "mean": round(statistics.fmean(ms), 1), "all": ms}  # fmt: skip


@app.command()
def main(runs: int = 20) -> None:
    if not (WEB / "dist" / "index.html").is_file():
        raise SystemExit("build the web app first: cd web && uv run --frozen npx vite build")
    home = ROOT / ".accord" / "bench" / f"clinician-live-{os.getpid()}"
    idp = DevIdentityProvider()
    with console.status("starting Kafka, PostgreSQL and every service"), stack.running(home) as infra:
        running = start_all(
            {**infra.service_env(), **idp.env()},
            home / "logs",
            environment="test",
            identity=idp,
            extra_env={"ACCORD_GATEWAY_SESSION_COOKIE_SECURE": "false"},  # Chromium, http://127.0.0.1
        )
        try:
            open_caseys_episode(running.gateway, idp)
            console.print(f"stack up; {runs} runs in the browser")
            delays = browser_runs(running.gateway, runs, home / "delays.json")
        finally:
            running.stop()
    results = {
        "submit_to_visible_ms": summary(delays),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average": os.getloadavg()},
    }
    out = ROOT / "bench" / "results" / "clinician_live.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print_json(json.dumps(results))


if __name__ == "__main__":
    app()
