"""The findings of the hardening review, each held by the gateway: canonical paths only, header limits, duplicated
headers, who the client is, what the gateway itself shows, and what every answer (a crash's too) carries."""

import json
import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from gateway_harness import StandIn, gateway, raw_get

from accord.devtools.testing import TokenFactory
from accord.gateway.adapters.upstreams import Upstreams

pytestmark = pytest.mark.integration
USER = uuid4()
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@pytest.fixture
def services() -> dict[str, StandIn]:
    return {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}


@pytest.fixture
def gateway_env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("ACCORD_GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("ACCORD_GATEWAY_REPORTING_TIMEOUT_SECONDS", "0.3")
    yield monkeypatch


def bearer(tokens: TokenFactory) -> dict[str, str]:
    return tokens.bearer(USER, ["client"], "tenant-a")


def assert_secured_problem(status: int, headers: Any, body: bytes, expected: int) -> None:
    assert status == expected, body
    assert headers["content-type"] == "application/problem+json"
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    assert REQUEST_ID.fullmatch(headers["x-request-id"])
    assert json.loads(body)["status"] == expected


@pytest.mark.parametrize(
    "path",
    [
        b"/api/v1/goals/%2e%2e/metrics",
        b"/api/v1/goals/%2E%2E/openapi.json",
        b"/api/v1/goals/../docs",
        b"/api/v1/goals/..%2fready",
        b"/api/v1/goals/.%2e/metrics",
        b"/api/v1/goals/x/%2e/y",
        b"/api/v1/goals/a%2Fb",
        b"/api/v1/goals/a%5cb",
        b"/api/v1/goals/a\\b",
    ],
)
async def test_a_path_that_is_not_canonical_is_refused_and_reaches_no_service(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn], path: bytes
) -> None:
    async with gateway(services) as gw:
        status, headers, body = await raw_get(gw, path, bearer(tokens))
    assert_secured_problem(status, headers, body, 400)
    assert not any(s.seen for s in services.values())


async def test_the_service_gets_exactly_the_path_the_gateway_routed(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/goals/caf%C3%A9%20x/m%2Bn", headers=bearer(tokens))
    assert r.status_code == 200
    [seen] = services["goals"].seen
    assert seen.raw_path == "/goals/caf%C3%A9%20x/m%2Bn"


async def test_a_huge_token_or_too_many_headers_are_refused_before_anything_reads_them(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        huge = await gw.get("/api/v1/goals/1", headers={"Authorization": "Bearer " + "a" * 1_400_000})
        many = await gw.get("/api/v1/goals/1", headers={**bearer(tokens), **{f"x-h{i}": "1" for i in range(120)}})
    for r in (huge, many):
        assert_secured_problem(r.status_code, r.headers, r.content, 431)
    assert not services["goals"].seen


@pytest.mark.parametrize("name", ["Authorization", "X-Forwarded-For", "Content-Type", "X-Request-ID", "If-Match"])
async def test_a_security_relevant_header_sent_twice_is_refused(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn], name: str
) -> None:
    other = tokens.bearer(uuid4(), ["therapist"], "tenant-a")["Authorization"]
    values = (bearer(tokens)["Authorization"], other) if name == "Authorization" else ("one", "two")
    async with gateway(services) as gw:
        headers = [*(bearer(tokens).items() if name != "Authorization" else []), *((name, v) for v in values)]
        r = await gw.get("/api/v1/goals/1", headers=headers)
    assert_secured_problem(r.status_code, r.headers, r.content, 400)
    assert r.json()["field"] == name.lower()
    assert not services["goals"].seen


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(gateway_env: Any, services: dict[str, StandIn]) -> None:
    gateway_env.setenv("ACCORD_GATEWAY_ADDRESS_BURST", "1")
    gateway_env.setenv("ACCORD_GATEWAY_ADDRESS_RATE_PER_SECOND", "0.01")
    async with gateway(services) as gw:  # the harness calls from 203.0.113.9, no proxy of ours
        spoofing = [
            (await gw.get("/api/v1/goals/1", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
            for i in range(2)
        ]
    assert spoofing == [401, 429]  # one budget for the peer, whatever it claims
    gateway_env.setenv("ACCORD_GATEWAY_TRUSTED_PROXIES", '["203.0.113.0/24"]')
    async with gateway(services) as gw:
        behind_proxy = [
            (await gw.get("/api/v1/goals/1", headers={"X-Forwarded-For": f"6.6.6.6, 198.51.100.{i}"})).status_code
            for i in (1, 2, 2)
        ]
    # Each client behind the proxy has its own budget; what the client itself wrote (6.6.6.6) counts for nothing.
    assert behind_proxy == [401, 401, 429]


async def test_the_gateway_shows_no_metrics_and_a_readiness_with_nothing_internal(
    gateway_env: Any, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        metrics = await gw.get("/metrics")
        ready = await gw.get("/ready")
    assert metrics.status_code == 404
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


@pytest.mark.parametrize("given", ["x" * 9000, "a b", "id<script>", ""])
async def test_a_request_id_that_is_not_plain_is_replaced_by_a_fresh_one_everywhere(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn], given: str
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/goals/1", headers={**bearer(tokens), "X-Request-ID": given})
    assert r.status_code == 200
    minted = r.headers["x-request-id"]
    assert minted != given and REQUEST_ID.fullmatch(minted)
    assert services["goals"].seen[0].headers["x-request-id"] == minted


async def test_failures_of_a_service_name_it_but_never_its_address(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    services["goals"] = StandIn("goals", refuse=True)
    services["progress"] = StandIn("progress", broken=True)
    services["reporting"] = StandIn("reporting", delay=1.0)
    async with gateway(services) as gw:
        answers = [
            await gw.get(f"/api/v1/{path}", headers=bearer(tokens))
            for path in ("goals/1", "progress/goals/1", "reporting/caseload")
        ]
    assert [a.status_code for a in answers] == [503, 502, 504]
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert "127.0.0.1" not in answer.text and "http" not in answer.text


async def test_a_crash_is_problem_json_with_the_security_headers_and_request_id(
    gateway_env: pytest.MonkeyPatch, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret internals")

    gateway_env.setattr(Upstreams, "send", crash)
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/goals/1", headers={**bearer(tokens), "X-Request-ID": "req-42"})
    assert_secured_problem(r.status_code, r.headers, r.content, 500)
    assert r.headers["x-request-id"] == "req-42" and "secret internals" not in r.text


async def test_cors_preflights_carry_the_security_headers_and_a_refusal_is_problem_json(
    gateway_env: Any, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        allowed = await gw.options(
            "/api/v1/goals/1", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
        )
        refused = await gw.options(
            "/api/v1/goals/1", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["x-content-type-options"] == "nosniff" and REQUEST_ID.fullmatch(
        allowed.headers["x-request-id"]
    )
    assert_secured_problem(refused.status_code, refused.headers, refused.content, 400)
    assert "access-control-allow-origin" not in refused.headers


async def test_a_streamed_body_over_the_limit_is_refused(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 10_000  # 400 KB, no Content-Length: the limit (256 KiB) holds as it streams in

    async with gateway(services) as gw:
        r = await gw.post("/api/v1/goals/1/agreements", headers=bearer(tokens), content=chunks())
    assert_secured_problem(r.status_code, r.headers, r.content, 413)
    assert not services["goals"].seen
