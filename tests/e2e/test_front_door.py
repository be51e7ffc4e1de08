"""The hardening findings, against the real processes behind the gateway, with requests sent byte for byte as an
attacker would send them (curl --path-as-is): nothing reaches a service's internals through the gateway, and what
the services keep for operators (metrics) is on ports of their own."""

import http.client
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
import pytest

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


def raw(base: str, path: str, headers: list[tuple[str, str]]) -> tuple[int, str, str]:
    """GET `path` exactly as written (no client-side normalisation); (status, content type, body)."""
    target = urlsplit(base)
    conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, answer.getheader("content-type", ""), answer.read().decode(errors="replace")
    finally:
        conn.close()


@pytest.mark.parametrize("tail", ["%2e%2e/metrics", "../metrics", "..%2fmetrics", "%2e%2e/docs", "%2E%2E/openapi.json",
                                  "%2e%2e/ready", "..%5cmetrics"])  # fmt: skip
def test_no_path_through_the_gateway_reaches_a_services_internals(
    running: RunningServices, tokens: TokenFactory, tail: str
) -> None:
    token = tokens.bearer(uuid4(), ["client"], "tenant-a")["Authorization"]
    status, kind, body = raw(running.gateway, f"/api/v1/goals/{tail}", [("Authorization", token)])
    assert status == 400 and kind == "application/problem+json", body
    assert "accord_" not in body and "swagger" not in body.lower() and "openapi" not in body


def test_metrics_are_served_on_their_own_ports_and_not_on_the_apis(running: RunningServices) -> None:
    for api in ("goals", "progress", "notifications", "reporting", "gateway"):
        assert httpx.get(f"{running.urls[api]}/metrics", timeout=10).status_code == 404
    scraped = httpx.get(f"{running.metrics['goals-api']}/metrics", timeout=10)
    assert scraped.status_code == 200 and "accord_http_request_duration_seconds" in scraped.text
    assert httpx.get(f"{running.metrics['goals-worker']}/ready", timeout=10).json() == {"status": "ready"}


def test_two_authorization_headers_and_a_huge_token_are_refused(running: RunningServices, tokens: TokenFactory) -> None:
    mine = tokens.bearer(uuid4(), ["client"], "tenant-a")["Authorization"]
    theirs = tokens.bearer(uuid4(), ["therapist"], "tenant-a")["Authorization"]
    twice = raw(running.gateway, "/api/v1/episodes", [("Authorization", mine), ("Authorization", theirs)])
    huge = raw(running.gateway, "/api/v1/episodes", [("Authorization", "Bearer " + "a" * 1_400_000)])
    assert twice[:2] == (400, "application/problem+json"), twice
    assert huge[:2] == (431, "application/problem+json"), huge[:2]


def test_a_request_id_that_is_not_plain_is_not_passed_on(running: RunningServices, tokens: TokenFactory) -> None:
    headers = {**tokens.bearer(uuid4(), ["client"], "tenant-a"), "X-Request-ID": "x" * 9000}
    answer = httpx.get(f"{running.gateway}/api/v1/episodes", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert len(answer.headers["x-request-id"]) == 36
