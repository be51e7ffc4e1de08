"""The gateway's own duties: authentication, routing, failures, limits and hardening."""

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from gateway_harness import StandIn, gateway

from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
USER = uuid4()
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def services() -> dict[str, StandIn]:
    return {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}


@pytest.fixture
def gateway_env(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("ACCORD_GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("ACCORD_GATEWAY_REPORTING_TIMEOUT_SECONDS", "0.3")
    yield monkeypatch


def bearer(tokens: TokenFactory, **kw: Any) -> dict[str, str]:
    return tokens.bearer(USER, ["client"], "tenant-a", **kw)


async def test_requests_go_to_the_owning_service_with_the_token_trace_context_and_request_id(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get(
            "/api/v1/progress/goals/abc?x=1",
            headers={
                **bearer(tokens),
                "X-Request-ID": "req-1",
                "Cookie": "session=steal-me",
                "traceparent": TRACEPARENT,
            },
        )
    assert r.status_code == 200 and r.json() == {"service": "progress", "path": "/progress/goals/abc"}
    assert r.headers["etag"] == '"7"'
    [seen] = services["progress"].seen
    assert seen.query == b"x=1"
    assert seen.headers["authorization"].startswith("Bearer ")
    assert seen.headers["x-request-id"] == "req-1" and "cookie" not in seen.headers
    assert seen.headers["traceparent"].split("-")[1] == TRACEPARENT.split("-")[1]  # the caller's trace goes on
    assert not services["goals"].seen


async def test_the_query_goes_on_byte_for_byte_and_the_gateway_adds_no_body_type(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    query = "when=2024-01-01T10:00:00%2B01:00&tag=a+b&tag=%7E&note=caf%C3%A9&empty="
    async with gateway(services) as gw:
        read = await gw.get(f"/api/v1/goals/1?{query}", headers=bearer(tokens))
        write = await gw.post("/api/v1/goals/1/proposal", headers=bearer(tokens), content=b"{}")
    assert read.status_code == 200 and write.status_code == 200
    [seen_read, seen_write] = services["goals"].seen
    assert seen_read.query == query.encode()
    assert seen_write.method == "POST" and "content-type" not in seen_write.headers
    assert seen_read.headers["accept-encoding"] == "identity"  # answers go back without their Content-Encoding


async def test_unauthenticated_requests_never_reach_a_service(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        missing = await gw.get("/api/v1/goals/1")
        expired = await gw.get("/api/v1/goals/1", headers=bearer(tokens, lifetime=-300))
        id_token = await gw.get("/api/v1/goals/1", headers=bearer(tokens, headers={"typ": "JWT"}))
    for r in (missing, expired, id_token):
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"] == "application/problem+json"
    assert not services["goals"].seen


async def test_unknown_paths_timeouts_and_down_services_are_problem_json(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    services["reporting"] = StandIn("reporting", delay=1.0)
    services["notifications"] = StandIn("notifications", refuse=True)
    async with gateway(services) as gw:
        unknown = await gw.get("/api/v1/secrets", headers=bearer(tokens))
        slow = await gw.get("/api/v1/reporting/caseload", headers=bearer(tokens))
        down_get = await gw.get("/api/v1/notifications/inbox", headers=bearer(tokens))
        down_post = await gw.post("/api/v1/notifications/inbox/1/read", headers=bearer(tokens))
    assert unknown.status_code == 404
    assert slow.status_code == 504 and slow.json()["service"] == "reporting"
    assert down_get.status_code == 503 and down_post.status_code == 503
    methods = [r.method for r in services["notifications"].seen]
    assert methods == ["GET", "GET", "POST"]  # a read is retried once; a write never


async def test_an_answer_broken_off_is_a_bad_gateway_and_is_not_asked_again(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    services["progress"] = StandIn("progress", broken=True)
    async with gateway(services) as gw:
        broken = await gw.get("/api/v1/progress/goals/1", headers=bearer(tokens))
    assert broken.status_code == 502 and broken.json()["service"] == "progress"
    assert broken.headers["content-type"] == "application/problem+json"
    assert [r.method for r in services["progress"].seen] == ["GET"]  # the service may have acted on it: sent once


async def test_users_and_addresses_are_rate_limited_with_retry_after(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    gateway_env.setenv("ACCORD_GATEWAY_USER_BURST", "3")
    gateway_env.setenv("ACCORD_GATEWAY_USER_RATE_PER_SECOND", "0.5")
    async with gateway(services) as gw:
        statuses = [(await gw.get("/api/v1/goals/1", headers=bearer(tokens))).status_code for _ in range(4)]
        limited = await gw.get("/api/v1/goals/1", headers=bearer(tokens))
        other_user = await gw.get("/api/v1/goals/1", headers=tokens.bearer(uuid4(), ["client"], "tenant-a"))
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert other_user.status_code == 200
    gateway_env.setenv("ACCORD_GATEWAY_ADDRESS_BURST", "2")
    gateway_env.setenv("ACCORD_GATEWAY_ADDRESS_RATE_PER_SECOND", "0.1")
    async with gateway(services) as gw:
        statuses = [(await gw.get("/api/v1/goals/1")).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]  # even unauthenticated floods are held back


async def test_hardening_size_limit_security_headers_and_cors(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        big = await gw.post("/api/v1/goals/1/agreements", headers=bearer(tokens), content=b"x" * (300 * 1024))
        ok = await gw.get("/api/v1/goals/1", headers=bearer(tokens))
        allowed = await gw.options(
            "/api/v1/goals/1", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
        )
        refused = await gw.options(
            "/api/v1/goals/1", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
    assert big.status_code == 413 and not services["goals"].seen[:-1]
    assert ok.headers["x-content-type-options"] == "nosniff" and ok.headers["cache-control"] == "no-store"
    assert "max-age" in ok.headers["strict-transport-security"] and ok.headers["x-frame-options"] == "DENY"
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:5173"
    assert "access-control-allow-origin" not in refused.headers


async def test_access_log_has_no_token_no_query_and_no_identifiers(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn], capsys: pytest.CaptureFixture[str]
) -> None:
    goal = uuid4()
    headers = bearer(tokens)
    async with gateway(services) as gw:
        await gw.get(f"/api/v1/goals/{goal}?client_id={USER}", headers=headers)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"request"' in line]
    [line] = [entry for entry in lines if entry.get("event") == "request"]
    assert line["path"] == "/api/v1/goals/{id}" and line["status"] == 200 and line["upstream"] == "goals"
    text = json.dumps(lines)
    assert str(goal) not in text and str(USER) not in text and headers["Authorization"][7:] not in text


async def test_overview_returns_what_it_has_when_a_service_is_down(
    gateway_env: Any, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    services["goals"] = StandIn("goals", refuse=True)
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/me/overview", headers=bearer(tokens))
    assert r.status_code == 200
    assert r.json() == {"goals": None, "progress": None, "unread_notifications": 3, "missing": ["goals", "progress"]}


async def test_one_openapi_document_merges_the_services(gateway_env: Any, services: dict[str, StandIn]) -> None:
    async with gateway(services) as gw:
        doc = (await gw.get("/api/v1/openapi.json")).json()
    assert {
        "/api/v1/goals/things",
        "/api/v1/progress/things",
        "/api/v1/reporting/things",
        "/api/v1/notifications/things",
        "/api/v1/me/overview",
    } <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/api/v1/goals/things"]["get"]["security"] == [{"bearer": []}]
