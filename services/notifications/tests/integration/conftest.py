"""Fixtures for the notifications service against real Kafka and PostgreSQL, a real local SMTP server (aiosmtpd)
and a real local HTTP endpoint standing in for a Web Push service. Everything listens on loopback only."""

import asyncio
import base64
import os
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import http_ece
import httpx
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from goal_builders import agreed_goal

from accord.devtools.testing import TokenFactory, eventually
from accord.notifications.bootstrap import create_api, open_senders, subscriptions
from accord.notifications.handlers.dispatcher import Dispatcher
from accord.notifications.settings import Settings
from accord.shared.db import create_pool
from accord.shared.events import Envelope, IntegrationEvent, topic_for
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import EpisodeOpened, ParticipantJoined
from accord.shared.events.contracts.progress import MilestoneReached
from accord.shared.kafka import new_producer
from accord.shared.runtime import run_worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def loopback_port() -> int:
    return free_port()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---------------------------------------------------------------- settings and the running service


@pytest.fixture(scope="session")
def links_mailbox() -> Iterator["Mailbox"]:
    """Where the API sends the links that confirm new e-mail addresses (its SMTP settings). Messages sent by a
    test's dispatcher go to that test's own mailbox instead, so tests count only notifications."""
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def notifications_env(service_env: dict[str, str], links_mailbox: "Mailbox") -> Iterator[dict[str, str]]:
    """The service's own settings for tests: push on (a VAPID key made here), loopback push endpoints allowed."""
    vapid = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    env = {
        "ACCORD_NOTIFICATIONS_SMTP_PORT": str(links_mailbox.port),
        "ACCORD_NOTIFICATIONS_VAPID_PRIVATE_KEY": b64(vapid),
        "ACCORD_NOTIFICATIONS_PUSH_REQUIRE_HTTPS": "false",
        "ACCORD_NOTIFICATIONS_PUSH_ENDPOINT_HOSTS": '["127.0.0.1"]',
        "ACCORD_NOTIFICATIONS_APP_BASE_URL": "https://app.accord.test",
        "ACCORD_NOTIFICATIONS_DISPATCH_POLL_INTERVAL_SECONDS": "0.5",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield {**service_env, **env}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def settings(notifications_env: dict[str, str]) -> Settings:
    return Settings()


@pytest.fixture(scope="module")
async def consumer(settings: Settings) -> AsyncIterator[None]:
    """The service's real worker (idempotent consumer of accord.goals.v1 / accord.progress.v1, outbox relay) in
    this process. The dispatcher is not part of it: each test drives its own, with its own SMTP server and clock."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, subscriptions(), stop))
    yield
    stop.set()
    await task


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A pool of the service's own role (search path: its schema)."""
    pool = await create_pool(settings, min_size=1, max_size=8)
    yield pool
    await pool.close()


# ---------------------------------------------------------------- SMTP and push stand-ins


class Mailbox:
    """A real SMTP server (aiosmtpd) on a loopback port; `start()` can be delayed to play a server that is down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str, subject: str | None = None) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address and subject in (None, m["Subject"])]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def mailbox_down() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


@dataclass
class Subscription:
    """A browser's push subscription, made here: the private key and auth secret decrypt what the service sent."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def json(self, base_url: str) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": base_url + self.path, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> bytes:
        return bytes(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"))


class PushService:
    """A real HTTP endpoint on loopback, recording every push it is sent; a path can be made to answer 410."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status: dict[str, int] = {}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.received.append((request.path, headers, await request.read()))
        return web.Response(status=self.status.get(request.path, 201))

    def new_subscription(self) -> Subscription:
        return Subscription(f"/push/{uuid4()}")

    def to(self, subscription: Subscription) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for path, headers, body in self.received if path == subscription.path]


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    app = web.Application()
    app.router.add_post("/push/{id}", service.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", service.port).start()
    yield service
    await runner.cleanup()


# ---------------------------------------------------------------- dispatcher, API, Kafka


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def dispatcher_for(settings: Settings, db: asyncpg.Pool) -> AsyncIterator[Callable[..., Any]]:
    """Builds the real dispatcher (real SMTP and push senders) for a mailbox, with a clock the test controls."""
    opened: list[Any] = []

    async def build(mailbox: Mailbox, clock: Clock | None = None, **overrides: Any) -> Dispatcher:
        s = settings.model_copy(update={"smtp_port": mailbox.port, "check_ins_enabled": False, **overrides})
        senders_cm = open_senders(s)
        senders = await senders_cm.__aenter__()
        opened.append(senders_cm)
        return Dispatcher(s, db, senders, clock or Clock())

    yield build
    for cm in opened:
        await cm.__aexit__(None, None, None)


@pytest.fixture
async def api(notifications_env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_api()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://n") as client:
        yield client


@pytest.fixture(scope="session")
async def publish(service_env: dict[str, str]) -> AsyncIterator[Callable[..., Any]]:
    """Publishes envelopes to their topics as their producing service would (keyed by client)."""
    producer = new_producer(service_env["KAFKA_BOOTSTRAP_SERVERS"], "notifications-tests")
    await producer.start()

    async def send(*envelopes: Envelope) -> list[Any]:
        """Returns each record's metadata (topic, partition, offset)."""
        sent = []
        for e in envelopes:
            headers = [("event_id", str(e.event_id).encode()), ("event_type", e.event_type.encode())]
            key = e.partition_key.encode()
            sent.append(await producer.send_and_wait(topic_for(e.event_type), e.to_bytes(), key=key, headers=headers))
        return sent

    yield send
    await producer.stop()


@pytest.fixture
def handled(db: asyncpg.Pool) -> Callable[..., Any]:
    """Waits until the service's consumer has committed the effect of every given event (its inbox rows)."""

    async def wait(*envelopes: Envelope) -> None:
        ids = [e.event_id for e in envelopes]

        async def all_in() -> bool:
            sql = "SELECT count(*) FROM inbox WHERE consumer_group = 'notifications' AND event_id = ANY($1::uuid[])"
            return await db.fetchval(sql, ids) == len(ids)

        await eventually(all_in, timeout=60)

    return wait


# ---------------------------------------------------------------- a care team and its events


@dataclass
class CareTeamStory:
    """One client's care team and the events the goals and progress services would publish about it."""

    tenant: str = field(default_factory=lambda: f"t-{uuid4().hex[:10]}")
    client: UUID = field(default_factory=uuid4)
    therapist: UUID = field(default_factory=uuid4)
    family: UUID = field(default_factory=uuid4)
    episode: UUID = field(default_factory=uuid4)

    def wrap(self, event: IntegrationEvent, producer: str = "goals") -> Envelope:
        return Envelope.wrap(event, producer=producer, tenant_id=self.tenant)

    def opened(self) -> list[Envelope]:
        now = datetime.now(UTC)
        return [
            self.wrap(EpisodeOpened(client_id=self.client, episode_id=self.episode, team_id=uuid4(),
                                    lead_therapist_id=self.therapist, opened_at=now)),
            self.wrap(ParticipantJoined(client_id=self.client, episode_id=self.episode, person_id=self.client,
                                        role=Role.CLIENT)),
            self.wrap(ParticipantJoined(client_id=self.client, episode_id=self.episode, person_id=self.family,
                                        role=Role.FAMILY, relationship_code="parent")),
        ]  # fmt: skip

    def goal_agreed(
        self, goal: UUID, *, shared: bool = False, review_days: int = 14, agreed_at: datetime | None = None
    ) -> Envelope:
        agreed_at = agreed_at or datetime.now(UTC)
        event = agreed_goal(
            self.client,
            therapist=self.therapist,
            episode=self.episode,
            goal_id=goal,
            thresholds=(),
            shared_with=(self.family,) if shared else (),
            review_interval_days=review_days,
            agreed_at=agreed_at,
            proposed_at=agreed_at - timedelta(days=1),
            category_code="school",
        )
        return self.wrap(event)

    def milestone(self, goal: UUID) -> Envelope:
        event = MilestoneReached(client_id=self.client, goal_id=goal, goal_version=1, milestone_id=uuid4(),
                                 entry_id=uuid4(), reached_at=datetime.now(UTC))  # fmt: skip
        return self.wrap(event, producer="progress")


@pytest.fixture
def story() -> CareTeamStory:
    return CareTeamStory()


@dataclass
class Person:
    """Someone using the API: their token, and helpers to register how they are reached."""

    id: UUID
    tenant: str
    headers: dict[str, str]
    api: httpx.AsyncClient
    email: str = ""

    links: "Mailbox | None" = None

    async def add_email(self, *, confirm: bool = True) -> str:
        """Adds an address and, unless told not to, follows the link the API sent to it (as its owner would)."""
        self.email = f"p-{self.id.hex[:12]}@example.org"
        r = await self.api.post("/notifications/contact-points", json={"email": self.email}, headers=self.headers)
        assert r.status_code == 201, r.text
        if confirm:
            r = await self.api.post(
                "/notifications/email-confirmations", json={"token": self.link_token()}, headers=self.headers
            )
            assert r.status_code == 200 and r.json()["confirmed"] is True, r.text
        return self.email

    def link_token(self, nth: int = -1) -> str:
        """The token of the `nth` confirmation link sent to this person's address (the newest by default)."""
        assert self.links is not None
        sent = self.links.to(self.email, "Confirm your e-mail address for Accord")
        found = re.search(r"/confirm-email\?token=([A-Za-z0-9_-]+)", sent[nth].get_content())
        assert found is not None
        return found.group(1)

    async def prefer(self, **prefs: Any) -> None:
        body = {"locale": "en", "time_zone": "Europe/London", "channels": ["email", "push"], **prefs}
        r = await self.api.put("/notifications/preferences", json=body, headers=self.headers)
        assert r.status_code == 200, r.text

    async def subscribe(self, subscription: Subscription, push: PushService) -> None:
        r = await self.api.post(
            "/notifications/push-subscriptions", json=subscription.json(push.base_url), headers=self.headers
        )
        assert r.status_code == 201, r.text

    async def inbox(self) -> list[dict[str, Any]]:
        r = await self.api.get("/notifications/inbox", headers=self.headers)
        assert r.status_code == 200, r.text
        return list(r.json()["items"])


@pytest.fixture
def person(api: httpx.AsyncClient, tokens: TokenFactory, links_mailbox: Mailbox) -> Callable[..., Person]:
    def make(person_id: UUID, tenant: str, role: str = "client") -> Person:
        return Person(person_id, tenant, tokens.bearer(person_id, [role], tenant), api, links=links_mailbox)

    return make
