"""One trace from a gateway request through the goals service and, over Kafka, into the progress and notifications
services' consumers, recorded with an in-memory span exporter."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from accord.devtools.testing import TokenFactory, eventually, serving
from accord.gateway.bootstrap import create_api as gateway_api
from accord.goals.bootstrap import create_api as goals_api
from accord.goals.bootstrap import settings as goals_settings
from accord.notifications.bootstrap import settings as notifications_settings
from accord.notifications.bootstrap import subscriptions as notifications_subscriptions
from accord.progress.bootstrap import settings as progress_settings
from accord.progress.bootstrap import subscriptions as progress_subscriptions
from accord.shared.runtime import Subscription, run_worker

pytestmark = pytest.mark.integration


@asynccontextmanager
async def running(*apps: Any) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield


@asynccontextmanager
async def gateway_in_front_of(goals: FastAPI, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FastAPI]:
    """The goals app served over real HTTP, the gateway pointed at it, both running; yields the gateway app."""
    async with serving(goals) as goals_url:
        monkeypatch.setenv("ACCORD_GATEWAY_GOALS_URL", goals_url)
        gateway = gateway_api()
        async with running(goals, gateway):
            yield gateway


async def test_an_agreement_made_through_the_gateway_is_one_trace_across_the_services(
    service_env: dict[str, str], tokens: TokenFactory, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    goals = goals_api()
    stop = asyncio.Event()
    # Consumer groups of this test's own: the end-to-end tests' service processes may still be running in their
    # groups, and would otherwise take the partitions (and the spans) away from these in-process consumers.
    own = f"trace-{uuid4().hex[:6]}"

    def private(subscriptions: list[Subscription], name: str) -> list[Subscription]:
        # The episode keys in a private group too: a new group reads the sealed topics from their start, and must
        # have every episode's key that earlier tests issued on the keys topic to open (or pass) their events.
        return [replace(sub, group_id=f"{own}-{name}-{sub.group_id or 'events'}") for sub in subscriptions]

    workers = [
        asyncio.create_task(run_worker(goals_settings(), [], stop=stop)),
        asyncio.create_task(run_worker(progress_settings(), private(progress_subscriptions(), "progress"), stop=stop)),
        asyncio.create_task(
            run_worker(notifications_settings(), private(notifications_subscriptions(), "notifications"), stop=stop)
        ),
    ]
    tenant, client, therapist = f"t-{uuid4().hex[:6]}", uuid4(), uuid4()
    as_client, as_therapist = tokens.bearer(client, ["client"], tenant), tokens.bearer(therapist, ["therapist"], tenant)
    try:
        async with (
            gateway_in_front_of(goals, monkeypatch) as gateway,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gw") as gw,
        ):
            episode = (
                await gw.post(
                    "/api/v1/episodes", headers=as_therapist, json={"client_id": str(client), "team_id": str(uuid4())}
                )
            ).json()
            goal = (
                await gw.post(
                    f"/api/v1/episodes/{episode['episode_id']}/goals", headers=as_client, json={"content": _content()}
                )
            ).json()
            url = f"/api/v1/goals/{goal['goal_id']}"
            await gw.post(f"{url}/proposal", headers=as_client, json={})
            await gw.post(f"{url}/agreements", headers=as_client, json={"decision": "agree"})
            spans.clear()
            traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            final = await gw.post(
                f"{url}/agreements", headers={**as_therapist, "traceparent": traceparent}, json={"decision": "agree"}
            )
            assert final.json()["status"] == "active"

            def trace_reached(service_span: str) -> bool:
                return any(
                    s.name == service_span and f"{s.context.trace_id:032x}" == traceparent.split("-")[1]
                    for s in spans.get_finished_spans()
                )

            await eventually(lambda: trace_reached("consume GoalAgreed"), timeout=60)
            await eventually(
                lambda: (
                    sum(
                        s.name == "consume GoalAgreed" and f"{s.context.trace_id:032x}" == traceparent.split("-")[1]
                        for s in spans.get_finished_spans()
                    )
                    >= 2
                ),
                timeout=60,
            )
    finally:
        stop.set()
        await asyncio.gather(*workers)
    ours = [s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == traceparent.split("-")[1]]
    names = {s.name for s in ours}
    assert "POST goals" in names  # the gateway's call to the goals service
    assert "POST /goals/{goal_id}/agreements" in names  # the goals service's own span
    consumed = [s for s in ours if s.name == "consume GoalAgreed"]
    assert len(consumed) >= 2  # the progress service's consumer and the notifications service's
    # Both consumers continue the trace of the request that agreed the goal; their parent came over Kafka.
    assert all(s.parent is not None and s.parent.is_remote for s in consumed)


def _content() -> dict[str, Any]:
    return {
        "statement": "Go to the cinema with a friend once a month",
        "why_it_matters": "I miss seeing films",
        "category_code": "social",
        "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
        "baseline": 1,
        "target": 7,
        "direction": "increase",
        "due_date": (date.today() + timedelta(days=90)).isoformat(),
        "review_interval_days": 30,
        "confidence": 5,
        "expressed_by": "client",
    }
