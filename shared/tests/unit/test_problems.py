from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from accord.shared.problems import Problem
from accord.shared.web import create_app


class GoalCreate(BaseModel):
    confidence: int = Field(ge=0, le=10)
    goal_id: UUID | None = None


def app_with_routes() -> httpx.AsyncClient:
    router = APIRouter()

    @router.post("/goals")
    async def create(body: GoalCreate) -> dict[str, int]:
        return {"confidence": body.confidence}

    @router.get("/goals/{goal_id}")
    async def read(goal_id: str) -> dict[str, str]:
        raise Problem(404, "Goal not found")

    async def ok() -> None:
        return None

    async def broken() -> None:
        raise ConnectionError

    app = create_app("example", readiness={"database": ok, "kafka": broken})
    app.include_router(router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_invalid_input_is_problem_json_naming_the_field_without_echoing_it() -> None:
    async with app_with_routes() as client:
        response = await client.post("/goals", json={"confidence": 4711})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errors"][0]["field"] == "body.confidence"
    assert "body.confidence" in body["detail"]
    assert "4711" not in response.text


async def test_a_control_character_quoted_by_a_parsers_message_is_escaped_never_read_back() -> None:
    async with app_with_routes() as client:
        response = await client.post("/goals", json={"confidence": 4, "goal_id": f"{uuid4()}\u0005"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body.goal_id"
    assert "\u0005" not in error["message"] and "\\u0005" in error["message"]


async def test_raised_problems_and_unknown_routes_are_problem_json() -> None:
    async with app_with_routes() as client:
        missing = await client.get("/goals/123")
        unknown = await client.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["title"] == "Goal not found"
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


async def test_readiness_tells_the_caller_nothing_internal_and_names_the_failing_dependency_in_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with app_with_routes() as client:
        ready = await client.get("/ready")
        health = await client.get("/health")
    assert ready.status_code == 503 and ready.headers["content-type"] == "application/problem+json"
    assert "kafka" not in ready.text and "ConnectionError" not in ready.text
    logged = capsys.readouterr()
    assert "not ready" in logged.out + logged.err and "ConnectionError" in logged.out + logged.err
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_the_api_port_serves_no_metrics() -> None:
    async with app_with_routes() as client:
        metrics = await client.get("/metrics")
    assert metrics.status_code == 404  # they are on the metrics port (accord.shared.metrics_server)
