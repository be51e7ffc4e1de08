"""A browser session left idle past the gateway's idle timeout: the web app sends the person to sign in and keeps what
they had typed (the browser session contract). A second gateway in front of the running services, with an idle
timeout of a few seconds, and its own development identity provider (the provider accepts one gateway's callback);
Playwright drives web/e2e-stack/session-idle.spec.ts against it."""

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from stack_browser import WEB, run_spec

from accord.devtools.infra.demo_users import DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.login import start_dev_login
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.services import RunningServices, spawn, wait_ready
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
IDLE_SECONDS = 4
BROWSER_RUN_SECONDS = 300


@pytest.fixture
def idle_gateway(running: RunningServices, tokens: TokenFactory) -> Iterator[str]:
    """The gateway as the suite runs it, but with a session idle timeout of IDLE_SECONDS."""
    logs = ROOT / ".accord" / "test" / f"e2e-idle-{os.getpid()}"
    logs.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{free_port()}"
    login = start_dev_login(tokens, url, logs, extra_env={"ACCORD_ENVIRONMENT": "test"})
    # As start_all starts the suite's gateway: no database and no Kafka in its environment.
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}
    env = {k: v for k, v in env.items() if not k.endswith("_DATABASE_URL")}
    env |= {f"ACCORD_GATEWAY_{s.upper()}_URL": u for s, u in running.urls.items() if s != "gateway"}
    env |= login.gateway_env(url)
    env |= {
        "ACCORD_ENVIRONMENT": "test",
        "ACCORD_GATEWAY_SESSION_COOKIE_SECURE": "false",
        "ACCORD_GATEWAY_SESSION_IDLE_SECONDS": str(IDLE_SECONDS),
    }
    port = url.rsplit(":", 1)[1]
    gateway = spawn(
        ["accord-gateway", "api", "--port", port, "--metrics-port", str(free_port())], env, logs / "gateway-api.log"
    )
    try:
        wait_ready(login.issuer, path="/.well-known/openid-configuration")
        wait_ready(url)
        yield url
    finally:
        terminate(gateway.pid, timeout=15)
        terminate(login.process.pid, timeout=15)


@pytest.mark.timeout(BROWSER_RUN_SECONDS + 300)
def test_a_session_left_idle_past_its_timeout_sends_the_person_to_sign_in_and_keeps_what_they_typed(
    idle_gateway: str, running: RunningServices, tokens: TokenFactory
) -> None:
    assert (WEB / "dist" / "index.html").is_file(), "build the app first: scripts/test-web"
    # Sam needs an open care episode for a draft to be saved (as the demo data gives one).
    alex = tokens.bearer(DEMO_USERS["alex"].sub, ["therapist"], DEMO_TENANT)
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        body = {"episode_id": str(uuid4()), "client_id": str(DEMO_USERS["sam"].sub), "team_id": str(DEMO_TEAM)}
        episode = http.post("/api/v1/episodes", json=body, headers=alex)
        assert episode.status_code == 201, episode.text
    env = {"ACCORD_WEB_BASE_URL": idle_gateway, "ACCORD_E2E_IDLE_SECONDS": str(IDLE_SECONDS)}
    run_spec("session-idle.spec.ts", env, BROWSER_RUN_SECONDS).assert_passed()
