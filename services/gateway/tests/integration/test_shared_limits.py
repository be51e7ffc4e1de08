"""With Redis as the store, several gateway instances share one budget per user."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from gateway_harness import StandIn, gateway

from accord.devtools.infra.ports import free_port, wait_for_port
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed (scripts/bootstrap installs Debian's redis-server)", pytrace=False)
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


async def test_two_gateway_instances_share_each_users_budget(
    service_env: dict[str, str], redis_url: str, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_GATEWAY_REDIS_URL", redis_url)
    monkeypatch.setenv("ACCORD_GATEWAY_USER_BURST", "4")
    monkeypatch.setenv("ACCORD_GATEWAY_USER_RATE_PER_SECOND", "0.1")
    services: dict[str, Any] = {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}
    user = tokens.bearer(uuid4(), ["client"], "tenant-a")
    async with gateway(services) as first, gateway(services) as second:
        statuses = [
            (await gw.get("/api/v1/goals/1", headers=user)).status_code
            for gw in (first, second, first, second, first, second)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert len(services["goals"].seen) == 4
