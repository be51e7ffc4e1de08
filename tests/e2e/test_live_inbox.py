"""The live inbox through the gateway, every service running as its own processes: a client's PHQ-9 answer that
raises a safety signal (progress -> Kafka -> notifications) appears on the therapist's open stream, and a stream
cut by a gateway restart resumes with Last-Event-ID without losing what came meanwhile."""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from httpx_sse import ServerSentEvent, aconnect_sse

from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.services import RunningServices, spawn, wait_ready
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
QUESTIONNAIRES = "/api/v1/progress/questionnaires"
ENOUGH = 30.0  # seconds: a bound on waiting for an effect to cross Kafka, so a failure fails; not a timing


class LiveStream:
    """A person's open stream through a gateway, read in the background."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url, self.headers = base_url, headers
        self.events: asyncio.Queue[ServerSentEvent | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "LiveStream":
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _read(self) -> None:
        timeout = httpx.Timeout(ENOUGH, read=None)
        try:
            async with (
                httpx.AsyncClient(base_url=self.base_url, timeout=timeout) as http,
                aconnect_sse(http, "GET", "/api/v1/notifications/stream", headers=self.headers) as source,
            ):
                assert source.response.status_code == 200, source.response.status_code
                async for event in source.aiter_sse():
                    await self.events.put(event)
        except httpx.HTTPError:
            pass  # the gateway went away
        finally:
            await self.events.put(None)

    async def next(self, kind: str) -> ServerSentEvent | None:
        """The next event of this kind; None when the stream ended first."""
        async with asyncio.timeout(ENOUGH):
            while (event := await self.events.get()) is not None:
                if event.event == kind:
                    return event
        return None

    async def inbox_items(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        """(event id, data) of the next `count` inbox events."""
        found = []
        for _ in range(count):
            event = await self.next("inbox")
            assert event is not None, "the stream ended"
            found.append((event.id, json.loads(event.data)))
        return found

    async def ended(self) -> bool:
        async with asyncio.timeout(ENOUGH):
            while await self.events.get() is not None:
                pass
        return True


class CareTeam:
    """A therapist and their client, with an episode open, as the public API makes them."""

    def __init__(self, tokens: TokenFactory) -> None:
        self.tenant, self.therapist, self.client = f"tenant-{uuid4().hex[:8]}", uuid4(), uuid4()
        self.therapist_headers = tokens.bearer(self.therapist, ["therapist"], self.tenant)
        self.client_headers = tokens.bearer(self.client, ["client"], self.tenant)

    async def open_episode(self, http: httpx.AsyncClient) -> None:
        r = await http.post(
            "/api/v1/episodes", json={"client_id": str(self.client), "team_id": str(uuid4())},
            headers=self.therapist_headers,
        )  # fmt: skip
        assert r.status_code == 201, r.text

    async def phq9_with_thoughts_of_self_harm(self, http: httpx.AsyncClient) -> None:
        """A PHQ-9 whose item 9 is above 0; retried while the episode is not yet known to the progress service."""
        body = {
            "response_id": str(uuid4()), "instrument": "PHQ-9", "answers": [1, 0, 1, 0, 0, 1, 0, 0, 1],
            "occurred_at": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        async with asyncio.timeout(ENOUGH):
            while (r := await http.post(QUESTIONNAIRES, json=body, headers=self.client_headers)).status_code == 409:
                await asyncio.sleep(0.3)
        assert r.status_code == 201, r.text
        assert r.json()["support_offered"] is True

    async def therapists_safety_items(self, http: httpx.AsyncClient) -> list[str]:
        r = await http.get("/api/v1/notifications/inbox", headers=self.therapist_headers)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"] if i["kind"] == "safety_signal"]


@pytest.fixture
async def public(running: RunningServices) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running.gateway, timeout=ENOUGH) as http:
        yield http


async def test_a_phq9_safety_answer_appears_on_the_therapists_open_stream(
    running: RunningServices, tokens: TokenFactory, public: httpx.AsyncClient
) -> None:
    team = CareTeam(tokens)
    await team.open_episode(public)
    async with LiveStream(running.gateway, team.therapist_headers) as therapist:
        assert await therapist.next("unread") is not None  # live
        await team.phq9_with_thoughts_of_self_harm(public)
        [(event_id, item)] = await therapist.inbox_items(1)
    assert item["kind"] == "safety_signal"
    assert item["link"].endswith("/inbox")  # a safety signal opens the therapist's inbox
    assert set(item) == {"id", "kind", "created_at", "link", "unread_count"}  # no text, no score
    assert event_id == "1"


class SecondGateway:
    """A gateway of the test's own in front of the running services, so that it can be stopped and started again on
    the same port."""

    def __init__(self, running: RunningServices, env: dict[str, str]) -> None:
        self.port, self.running = free_port(), running
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, **env, "ACCORD_ENVIRONMENT": "test", "ACCORD_LOG_JSON": "true",
            "ACCORD_GATEWAY_USER_BURST": "10000", "ACCORD_GATEWAY_ADDRESS_BURST": "10000",
            **{f"ACCORD_GATEWAY_{s.upper()}_URL": url for s, url in running.urls.items() if s != "gateway"},
        }  # fmt: skip
        self.pid = 0

    def start(self) -> None:
        argv = ["accord-gateway", "api", "--port", str(self.port)]
        self.pid = spawn(argv, self.env, self.running.logs / "second-gateway.log").pid
        wait_ready(self.url)

    def stop(self) -> None:
        if self.pid:
            terminate(self.pid, timeout=15)
            self.pid = 0


@pytest.fixture
def second_gateway(running: RunningServices, service_env: dict[str, str]) -> Iterator[SecondGateway]:
    gateway = SecondGateway(running, service_env)
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()


async def test_a_stream_cut_by_a_gateway_restart_resumes_with_last_event_id_losing_nothing(
    second_gateway: SecondGateway, tokens: TokenFactory, public: httpx.AsyncClient
) -> None:
    team = CareTeam(tokens)
    await team.open_episode(public)
    async with LiveStream(second_gateway.url, team.therapist_headers) as before:
        assert await before.next("unread") is not None
        await team.phq9_with_thoughts_of_self_harm(public)
        [(last_seen, _)] = await before.inbox_items(1)
        await asyncio.to_thread(second_gateway.stop)
        assert await before.ended()

    # While the gateway is down, two more signals reach the therapist's inbox.
    for _ in range(2):
        await team.phq9_with_thoughts_of_self_harm(public)
    async with asyncio.timeout(ENOUGH):
        while len(items := await team.therapists_safety_items(public)) < 3:
            await asyncio.sleep(0.3)

    await asyncio.to_thread(second_gateway.start)
    resumed = {**team.therapist_headers, "Last-Event-ID": last_seen}
    async with LiveStream(second_gateway.url, resumed) as after:
        missed = await after.inbox_items(2)
        following = await asyncio.wait_for(after.events.get(), ENOUGH)
        assert following is not None and following.event == "unread"  # caught up, with nothing else in between
    assert [UUID(item["id"]) for _, item in missed] == [UUID(i) for i in reversed(items[:2])]  # oldest first
    assert [event_id for event_id, _ in missed] == [str(int(last_seen) + 1), str(int(last_seen) + 2)]
