"""How a process is served: metrics on a port of their own, and uvicorn believing no X-Forwarded-For."""

import gc
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from accord.devtools.infra.ports import free_port
from accord.shared import web_cli
from accord.shared.metrics import HTTP_LATENCY
from accord.shared.metrics_server import serve_metrics


async def test_the_metrics_port_serves_the_metrics_and_a_readiness_that_names_nothing_to_no_one() -> None:
    HTTP_LATENCY.labels("example", "GET", "/things", "200").observe(0.01)
    failing: dict[str, str] = {"kafka": "KafkaConnectionError"}
    port = free_port()
    stop = serve_metrics(port, failing=lambda: failing)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            metrics = await http.get("/metrics")
            not_ready = await http.get("/ready")
            failing.clear()
            ready = await http.get("/ready")
            health = await http.get("/health")
    finally:
        stop()
    assert 'accord_http_request_duration_seconds_count{method="GET"' in metrics.text
    assert not_ready.status_code == 503 and not_ready.headers["content-type"] == "application/problem+json"
    assert ready.json() == {"status": "ready"} and health.json() == {"status": "ok"}


def test_the_api_is_served_without_proxy_headers_and_with_a_header_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, Any] = {}
    monkeypatch.setattr(web_cli.uvicorn, "run", lambda app, **options: ran.update(options, app=app))

    def create_api() -> Any:
        raise AssertionError("not called: uvicorn builds the app")

    result = CliRunner().invoke(web_cli.web_cli(create_api), ["api", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert ran["proxy_headers"] is False and ran["forwarded_allow_ips"] == ""
    assert ran["h11_max_incomplete_event_size"] == web_cli.H11_MAX_HEAD_BYTES


def test_what_start_up_imported_is_out_of_the_collectors_reach_before_the_api_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen_when_served: list[int] = []
    monkeypatch.setattr(web_cli.uvicorn, "run", lambda app, **options: frozen_when_served.append(gc.get_freeze_count()))

    def create_api() -> Any:
        raise AssertionError("not called: uvicorn builds the app")

    try:
        result = CliRunner().invoke(web_cli.web_cli(create_api), ["api", "--port", "8123"])
    finally:
        gc.unfreeze()  # this is a test process: what it makes later must stay collectable
    assert result.exit_code == 0, result.output
    assert frozen_when_served and frozen_when_served[0] > 10_000
