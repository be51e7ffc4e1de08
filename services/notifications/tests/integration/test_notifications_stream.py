"""The live inbox stream (GET /notifications/stream) served over real HTTP on loopback, against real PostgreSQL:
new items reach their recipient's open stream and nobody else's, a reconnect with Last-Event-ID loses nothing,
heartbeats keep it open, and it ends when the token does."""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from httpx_sse import ServerSentEvent, aconnect_sse

from accord.devtools.testing import TokenFactory, serving
from accord.notifications.bootstrap import create_api
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.progress import SafetySignalRaised

pytestmark = pytest.mark.integration

ENOUGH = 20.0  # seconds: a bound on waiting, so a broken stream fails the test instead of hanging it; not a timing


@pytest.fixture(scope="module")
async def base_url(notifications_env: dict[str, str]) -> AsyncIterator[str]:
    """The service's real API on a loopback port, with a heartbeat every 0.2 s."""
    os.environ["ACCORD_NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS"] = "0.2"
    try:
        app = create_api()
    finally:
        del os.environ["ACCORD_NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS"]
    async with app.router.lifespan_context(app), serving(app) as url:
        yield url


class Stream:
    """One open stream, read in the background: its events, in order, as they come."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http, self.headers = http, headers
        self.events: asyncio.Queue[ServerSentEvent | None] = asyncio.Queue()  # None: the stream ended
        self.status = 0
        self.caught_up: list[ServerSentEvent] = []  # what came before the stream said it was live
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Stream":
        self._task = asyncio.create_task(self._read())
        # After catching up, every stream sends the unread count: from then on it is live.
        async with asyncio.timeout(ENOUGH):
            while (event := await self.events.get()) is not None and event.event != "unread":
                self.caught_up.append(event)
        assert event is not None, f"the stream did not open ({self.status})"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _read(self) -> None:
        try:
            async with aconnect_sse(self.http, "GET", "/notifications/stream", headers=self.headers) as source:
                self.status = source.response.status_code
                if self.status == 200:
                    async for event in source.aiter_sse():
                        await self.events.put(event)
        except httpx.HTTPError:
            pass  # the server went away: the stream ended
        finally:
            await self.events.put(None)

    async def next(self, kind: str = "inbox") -> ServerSentEvent | None:
        """The next event of this kind (others are skipped); None if the stream ended first."""
        while self.caught_up:
            if (event := self.caught_up.pop(0)).event == kind:
                return event
        async with asyncio.timeout(ENOUGH):
            while (event := await self.events.get()) is not None:
                if event.event == kind:
                    return event
            return None

    async def inbox_items(self, count: int) -> list[dict[str, Any]]:
        items = []
        for _ in range(count):
            event = await self.next()
            assert event is not None, "the stream ended"
            items.append({**json.loads(event.data), "event_id": event.id})
        return items


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(ENOUGH, read=None)) as client:
        yield client


@pytest.fixture
def open_stream(http: httpx.AsyncClient, tokens: TokenFactory) -> Callable[..., Stream]:
    def make(person: UUID, tenant: str, role: str = "client", **headers: Any) -> Stream:
        return Stream(http, {**tokens.bearer(person, [role], tenant, **headers.pop("token", {})), **headers})

    return make


async def add_item(db: asyncpg.Pool, tenant: str, recipient: UUID, template: str = "goal_agreed") -> UUID:
    """An inbox item as the consumer writes it (with its in-app delivery), committed."""
    item = uuid4()
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id, channel, "
            "template_code, link_path, status, due_at) VALUES ($1, $2, $3, $3, $4, $4, 'in_app', $5, '/goals/x', "
            "'sent', now())",
            item, tenant, uuid4(), recipient, template,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path) "
            "VALUES ($1, $2, $3, $4, '/goals/x')",
            item, tenant, recipient, template,
        )  # fmt: skip
    return item


async def test_a_new_item_reaches_its_recipients_open_stream_and_not_another_persons(
    open_stream: Callable[..., Stream], db: asyncpg.Pool
) -> None:
    tenant, me, someone_else = f"t-{uuid4().hex[:8]}", uuid4(), uuid4()
    async with open_stream(me, tenant) as mine, open_stream(someone_else, tenant) as theirs:
        item = await add_item(db, tenant, me)
        [event] = await mine.inbox_items(1)
        assert event["id"] == str(item)
        assert set(event) == {"id", "kind", "created_at", "link", "unread_count", "event_id"}  # no message text
        assert event["kind"] == "goal_agreed" and event["unread_count"] == 1
        assert event["link"] == "https://app.accord.test/goals/x"

        # The other person's first item is their own: mine never reached their stream.
        theirs_item = await add_item(db, tenant, someone_else)
        [their_event] = await theirs.inbox_items(1)
        assert their_event["id"] == str(theirs_item)

    audited = await db.fetch("SELECT action, resource_type FROM audit_log WHERE actor_id = $1", me)
    assert [(r["action"], r["resource_type"]) for r in audited] == [("stream", "inbox")]  # one row per connect


async def test_a_reconnect_with_last_event_id_gets_exactly_what_came_while_away_then_live_items(
    open_stream: Callable[..., Stream], db: asyncpg.Pool
) -> None:
    tenant, me = f"t-{uuid4().hex[:8]}", uuid4()
    async with open_stream(me, tenant) as first:
        await add_item(db, tenant, me)
        [seen] = await first.inbox_items(1)

    while_away = [await add_item(db, tenant, me), await add_item(db, tenant, me)]

    async with open_stream(me, tenant, **{"Last-Event-ID": seen["event_id"]}) as again:
        caught_up = await again.inbox_items(2)
        assert [e["id"] for e in caught_up] == [str(i) for i in while_away]
        assert [int(e["event_id"]) for e in caught_up] == [int(seen["event_id"]) + 1, int(seen["event_id"]) + 2]
        live = await add_item(db, tenant, me)
        [next_one] = await again.inbox_items(1)
        assert next_one["id"] == str(live)  # nothing repeated, nothing in between


async def test_marking_an_item_read_sends_the_new_unread_count(
    open_stream: Callable[..., Stream], db: asyncpg.Pool, http: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    tenant, me = f"t-{uuid4().hex[:8]}", uuid4()
    item = await add_item(db, tenant, me)
    async with open_stream(me, tenant) as stream:
        marked = await http.post(f"/notifications/inbox/{item}/read", headers=tokens.bearer(me, ["client"], tenant))
        assert marked.status_code == 200, marked.text
        event = await stream.next("unread")
        assert event is not None and json.loads(event.data) == {"unread_count": 0}


async def test_an_open_stream_sends_heartbeats_and_a_retry_hint(http: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = {**tokens.bearer(uuid4(), ["client"], f"t-{uuid4().hex[:8]}"), "Accept": "text/event-stream"}
    lines: list[str] = []
    async with asyncio.timeout(ENOUGH), http.stream("GET", "/notifications/stream", headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        async for line in response.aiter_lines():
            lines.append(line)
            if sum(line.startswith(":") for line in lines) == 2:
                break
    assert lines[0] == "retry: 3000"


async def test_the_stream_ends_when_the_token_expires(open_stream: Callable[..., Stream]) -> None:
    async with open_stream(uuid4(), f"t-{uuid4().hex[:8]}", token={"lifetime": 2}) as stream:
        assert await stream.next() is None  # ended, without an event after the unread count


async def test_a_last_event_id_that_is_not_a_number_is_refused_naming_the_header(
    http: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    headers = {**tokens.bearer(uuid4(), ["client"], "t-x"), "Last-Event-ID": "abc", "Accept": "text/event-stream"}
    r = await http.get("/notifications/stream", headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "Last-Event-ID"


async def test_a_request_that_does_not_ask_for_an_event_stream_is_refused_rather_than_left_waiting(
    http: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    r = await http.get("/notifications/stream", headers={**tokens.bearer(uuid4(), ["client"], "t-x"), "Accept": "*/*"})
    assert r.status_code == 406
    assert r.json()["field"] == "Accept"


async def test_a_stream_without_a_token_is_refused(http: httpx.AsyncClient) -> None:
    r = await http.get("/notifications/stream")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


async def test_a_safety_signal_reaches_the_therapists_open_stream(
    open_stream: Callable[..., Stream], story: Any, publish: Any, handled: Any, consumer: None
) -> None:
    opened = story.opened()
    await publish(*opened)
    await handled(*opened)
    async with open_stream(story.therapist, story.tenant, role="therapist") as therapist:
        signal = SafetySignalRaised(
            client_id=story.client, signal_id=uuid4(), source_id=uuid4(), instrument=Instrument.PHQ9,
            raised_at=datetime.now(UTC),
        )  # fmt: skip
        await publish(story.wrap(signal, producer="progress"))
        [event] = await therapist.inbox_items(1)
        assert event["kind"] == "safety_signal"
        assert event["link"].endswith("/inbox")


async def test_an_item_committed_while_the_listening_connection_was_lost_still_arrives(
    open_stream: Callable[..., Stream], db: asyncpg.Pool, admin_db: asyncpg.Pool
) -> None:
    tenant, me = f"t-{uuid4().hex[:8]}", uuid4()
    async with open_stream(me, tenant) as stream:
        await admin_db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'accord-inbox'"
        )
        item = await add_item(db, tenant, me)  # its NOTIFY may reach no one: the listener is reconnecting
        [event] = await stream.inbox_items(1)
        assert event["id"] == str(item)
