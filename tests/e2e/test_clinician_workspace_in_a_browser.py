"""The clinician workspace in Chromium against every service, signing in through the development identity provider:
Playwright drives web/e2e-stack/clinician.spec.ts (axe-core on each screen it visits). Alex opens Casey's episode and
adds Morgan, agrees Casey's goal and sees her milestone; Casey's PHQ-9 safety answer reaches Alex's open caseload;
the live channel resumes after the gateway restarts; Robin (not in the episode) and Kim (supervisor of another team)
see nothing of Casey; Alex records an erasure request for a new client of the team, and Priya (the team's supervisor)
approves it and lifts the restriction, on her Erasure requests screen.

The services are the session's; the gateway in front of them is this test's own, keeping browser sessions in a Redis
of its own (as several gateways in production do), so that it can be stopped and started again on the same port
without signing anyone out. The spec asks for the restart through a small control server of this test.
Needs the built app (web/dist) and web/node_modules: scripts/test runs scripts/test-web first."""

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from accord.devtools.infra.demo_users import DEMO_OTHER_TEAM, DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.login import start_dev_login
from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.services import RunningServices, spawn, wait_ready
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
WEB = Path(__file__).resolve().parents[2] / "web"
ENOUGH = 60.0  # seconds: a bound on waiting for an effect to cross Kafka, so a failure fails; not a timing


class RestartableGateway:
    """A gateway (with its own development sign-in provider and Redis session store) in front of the running
    services, which can be stopped and started again on the same port."""

    def __init__(self, running: RunningServices, service_env: dict[str, str], tokens: TokenFactory) -> None:
        self.running, self.port = running, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pids: list[int] = []
        redis_port = free_port()
        redis = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.pids.append(spawn(redis, dict(os.environ), running.logs / "clinician-redis.log").pid)
        wait_for_port(redis_port, 30)
        login_logs = running.logs / "clinician-login"
        login_logs.mkdir(parents=True, exist_ok=True)
        login = start_dev_login(tokens, self.url, login_logs, extra_env={"ACCORD_ENVIRONMENT": "test"})
        self.pids.append(login.process.pid)
        wait_ready(login.issuer, path="/.well-known/openid-configuration")
        front = {k: v for k, v in {**os.environ, **service_env}.items() if not k.endswith("DATABASE_URL")}
        front.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        self.env = {
            **front, **login.gateway_env(self.url), "ACCORD_ENVIRONMENT": "test", "ACCORD_LOG_JSON": "true",
            **{f"ACCORD_GATEWAY_{s.upper()}_URL": url for s, url in running.urls.items() if s != "gateway"},
            "ACCORD_GATEWAY_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "ACCORD_GATEWAY_USER_BURST": "1000000", "ACCORD_GATEWAY_ADDRESS_BURST": "1000000",
            "ACCORD_GATEWAY_SESSION_COOKIE_SECURE": "false",  # Chromium on 127.0.0.1 over http
        }  # fmt: skip
        self.gateway_pid = 0

    def start(self) -> None:
        argv = ["accord-gateway", "api", "--port", str(self.port)]
        self.gateway_pid = spawn(argv, self.env, self.running.logs / "clinician-gateway.log").pid
        wait_ready(self.url)

    def stop_gateway(self) -> None:
        if self.gateway_pid:
            terminate(self.gateway_pid, timeout=15)
            self.gateway_pid = 0

    def stop(self) -> None:
        self.stop_gateway()
        for pid in reversed(self.pids):
            terminate(pid, timeout=15)


class CareTeamCalls:
    """What the control server does besides restarting: calls through the session's own gateway with bearer
    tokens, for the moments when the browser's gateway is down."""

    def __init__(self, running: RunningServices, tokens: TokenFactory) -> None:
        self.http = httpx.Client(base_url=running.gateway, timeout=30)
        self.casey = tokens.bearer(DEMO_USERS["casey"].sub, ["client"], DEMO_TENANT)
        self.alex = tokens.bearer(DEMO_USERS["alex"].sub, ["therapist"], DEMO_TENANT)

    def phq9_with_thoughts_of_self_harm(self) -> None:
        body = {
            "response_id": str(uuid4()), "instrument": "PHQ-9", "answers": [1, 0, 1, 0, 0, 1, 0, 0, 1],
            "occurred_at": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        r = self.http.post("/api/v1/progress/questionnaires", json=body, headers=self.casey)
        assert r.status_code == 201 and r.json()["support_offered"] is True, r.text

    def alexs_safety_items(self) -> int:
        r = self.http.get("/api/v1/notifications/inbox", headers=self.alex)
        assert r.status_code == 200, r.text
        return sum(1 for i in r.json()["items"] if i["kind"] == "safety_signal")

    def signals_while_the_gateway_is_down(self, gateway: RestartableGateway, count: int) -> dict[str, Any]:
        """Stops the browser's gateway, has Casey raise `count` safety signals that reach Alex's inbox meanwhile,
        and starts the gateway again on the same port."""
        before = self.alexs_safety_items()
        gateway.stop_gateway()
        for _ in range(count):
            self.phq9_with_thoughts_of_self_harm()
        deadline = time.monotonic() + ENOUGH
        while self.alexs_safety_items() < before + count:
            assert time.monotonic() < deadline, "the signals did not reach Alex's inbox"
            time.sleep(0.3)
        gateway.start()
        return {"signals": count}


@pytest.fixture
def browser_gateway(
    running: RunningServices, service_env: dict[str, str], tokens: TokenFactory
) -> Iterator[RestartableGateway]:
    gateway = RestartableGateway(running, service_env, tokens)
    try:
        gateway.start()
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture
def control(browser_gateway: RestartableGateway, running: RunningServices, tokens: TokenFactory) -> Iterator[str]:
    """POST /gateway/restart?signals=N: the restart of the browser's gateway, with N safety signals meanwhile."""
    calls = CareTeamCalls(running, tokens)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if not self.path.startswith("/gateway/restart"):
                self.send_error(404)
                return
            count = int(self.path.partition("signals=")[2] or 0)
            try:
                body, status = calls.signals_while_the_gateway_is_down(browser_gateway, count), 200
            except Exception as exc:  # the spec shows it in its failure
                body, status = {"error": repr(exc)}, 500
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        calls.http.close()


# The stack's start (every service) and a browser on the shared two cores take minutes, not the suite's default 300 s.
@pytest.mark.timeout(900)
def test_a_therapist_works_with_a_young_person_through_the_clinician_workspace_in_a_browser(
    browser_gateway: RestartableGateway, control: str
) -> None:
    assert (WEB / "dist" / "index.html").is_file(), "build the app first: scripts/test-web"
    assert (WEB / "node_modules" / "@playwright" / "test").is_dir(), "install the app first: scripts/test-web"
    uv = shutil.which("uv")
    assert uv, "uv is needed to run the pinned Node"
    people = {login: str(user.sub) for login, user in DEMO_USERS.items()}
    env = {
        **os.environ,
        "ACCORD_WEB_BASE_URL": browser_gateway.url,
        "ACCORD_E2E_CONTROL_URL": control,
        "ACCORD_E2E_PEOPLE": json.dumps({**people, "team": str(DEMO_TEAM), "other_team": str(DEMO_OTHER_TEAM)}),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }
    run = subprocess.run(
        [uv, "run", "--frozen", "npx", "playwright", "test", "-c", "playwright.stack.config.ts", "clinician.spec.ts"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    print(run.stdout[-3000:])  # the run's time and the measured delay, in the pytest output with -s
