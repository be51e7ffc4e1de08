"""Every service's API starts against the real database and broker and reports itself ready; its readiness is its
database alone (writes go to the outbox, so Kafka being away stops no request). The gateway's start, with no
database or Kafka at all, is services/gateway/tests/integration/test_only_a_front_door.py."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from accord.goals.bootstrap import create_api as goals_api
from accord.notifications.bootstrap import create_api as notifications_api
from accord.progress.bootstrap import create_api as progress_api
from accord.reporting.bootstrap import create_api as reporting_api

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("create_api", [goals_api, progress_api, notifications_api, reporting_api])
async def test_service_is_live_and_ready(service_env: dict[str, str], create_api: object) -> None:
    app: FastAPI = create_api()  # type: ignore[operator]
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        health = await client.get("/health")
        ready = await client.get("/ready")
    assert health.status_code == 200
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}  # nothing internal


@pytest.mark.parametrize("create_api", [goals_api, progress_api, notifications_api, reporting_api])
async def test_an_api_starts_and_is_ready_while_kafka_cannot_be_reached(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, create_api: object
) -> None:
    """An API opens no Kafka connection (its writes go to the outbox; the worker publishes): a broker that is down
    neither stops it starting nor makes it unready."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")  # the discard port: nothing listens for Kafka
    app: FastAPI = create_api()  # type: ignore[operator]
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text


async def test_an_apis_readiness_follows_its_database(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.shared.runtime import Resources

    async def down(_: Resources[Any]) -> None:
        raise ConnectionError

    app: FastAPI = goals_api()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        assert (await client.get("/ready")).status_code == 200
        monkeypatch.setattr(Resources, "check_database", down)
        without_database = await client.get("/ready")
    assert without_database.status_code == 503
