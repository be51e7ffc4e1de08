"""The front door's hot path (accord.gateway.entrypoints.hot_path): a bearer request for a service's path is answered
by one layer, exactly as the long way through Starlette's and FastAPI's layers answers it."""

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from gateway_harness import StandIn, gateway

from accord.devtools.testing import TokenFactory
from accord.gateway.entrypoints.hot_path import HotProxy

pytestmark = pytest.mark.integration
USER = uuid4()
SAME_ID = {"X-Request-ID": "same-id-both-ways"}


@pytest.fixture
def services() -> dict[str, StandIn]:
    return {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}


@pytest.fixture
def hot(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths the hot path answered."""
    taken: list[str] = []
    proxied = HotProxy.proxied

    async def counted(self: HotProxy, scope: Any, receive: Any, target: Any) -> Any:
        taken.append(scope["path"])
        return await proxied(self, scope, receive, target)

    monkeypatch.setattr(HotProxy, "proxied", counted)
    yield taken


def comparable(headers: Any) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in headers.multi_items() if k != "content-length")


async def test_a_bearer_request_is_answered_by_the_hot_path_exactly_as_the_long_way_answers_it(
    service_env: dict[str, str], tokens: TokenFactory, services: dict[str, StandIn], hot: list[str]
) -> None:
    bearer = tokens.bearer(USER, ["client"], "tenant-a")
    cases: list[tuple[str, dict[str, str]]] = [
        ("/api/v1/progress/goals/g1", bearer),  # an answer, with its ETag
        ("/api/v1/progress/goals/g1", {**bearer, "Origin": "http://localhost:5173"}),  # CORS: allowed origin
        ("/api/v1/progress/goals/g1", {**bearer, "Origin": "https://evil.example"}),  # CORS: not allowed
        ("/api/v1/goals/g1", {"Authorization": "Bearer not-a-token"}),  # 401 problem+json
        ("/api/v1/goals/g1", {}),  # 401 without a token
    ]
    async with gateway(services) as gw:
        for path, headers in cases:
            quick = await gw.get(path, headers={**headers, **SAME_ID})
            # A cookie (no sessions in this gateway: ignored) sends the same request the long way.
            slow = await gw.get(path, headers={**headers, **SAME_ID, "Cookie": "unrelated=1"})
            assert (quick.status_code, quick.content) == (slow.status_code, slow.content), path
            assert comparable(quick.headers) == comparable(slow.headers), (path, headers)
    assert hot == [path for path, _ in cases]  # each taken once: the cookie's twin went the long way


async def test_the_hot_path_keeps_the_address_limit_and_the_access_log(
    service_env: dict[str, str],
    tokens: TokenFactory,
    services: dict[str, StandIn],
    hot: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ACCORD_GATEWAY_ADDRESS_BURST", "2")
    monkeypatch.setenv("ACCORD_GATEWAY_ADDRESS_RATE_PER_SECOND", "0.1")
    goal = uuid4()
    async with gateway(services) as gw:
        statuses = [
            (await gw.get(f"/api/v1/goals/{goal}", headers=tokens.bearer(USER, ["client"], "tenant-a"))).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429] and len(hot) == 2  # the third refused before anything was forwarded
    assert len(services["goals"].seen) == 2
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"request"' in line]
    logged = [(e["path"], e["status"], e["upstream"]) for e in lines if e.get("event") == "request"]
    assert logged == [("/api/v1/goals/{id}", 200, "goals")] * 2 + [("/api/v1/goals/{id}", 429, None)]


async def test_what_the_hot_path_does_not_take_goes_the_long_way(
    service_env: dict[str, str], tokens: TokenFactory, services: dict[str, StandIn], hot: list[str]
) -> None:
    bearer = tokens.bearer(USER, ["client"], "tenant-a")
    async with gateway(services) as gw:
        unowned = await gw.get("/api/v1/nobody/1", headers=bearer)
        preflight = await gw.options(
            "/api/v1/goals/1", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
        )
        probe = await gw.get("/health")
    assert unowned.status_code == 404 and unowned.headers["content-type"] == "application/problem+json"
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert probe.status_code == 200
    assert hot == []
