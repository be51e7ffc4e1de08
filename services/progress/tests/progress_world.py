"""Test helpers: a client's care team and agreed goal, announced on Kafka as the goals service would."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from asyncpg.connection import LoggedQuery
from fastapi import FastAPI
from goal_builders import agreed_goal

from accord.devtools.testing import TokenFactory, eventually
from accord.progress.bootstrap import settings, subscriptions
from accord.shared.episode_keys import key_issued
from accord.shared.events import Envelope, IntegrationEvent
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import (
    Role,
)
from accord.shared.events.registry import EPISODE_KEYS_TOPIC
from accord.shared.events.sealing import WrappingKeys, is_sealable, new_key, seal
from accord.shared.kafka import new_producer
from accord.shared.outbox.store import envelope_headers
from accord.shared.runtime import run_worker

EPISODE_KEYS: dict[UUID, bytes] = {}
"""The key of each episode these tests announced, issued as the goals service issues them."""


async def send_envelopes(bootstrap: str, *envelopes: Envelope) -> None:
    """Puts envelopes on the goals topic as the goals service's relay would (key and headers included), in order;
    the same envelope twice is a redelivery. An event about an episode is sealed under the episode's key, which is
    issued on the keys topic first, as the goals service does."""
    producer = new_producer(bootstrap, "test-goals")
    await producer.start()
    try:
        for e in envelopes:
            episode = e.payload.get("episode_id")
            if episode is not None and is_sealable(e.event_type, "accord.goals.v1"):
                e = seal(e, UUID(str(episode)), await _issued_key(producer, e.tenant_id, e.partition_key, episode))
            await producer.send_and_wait(
                "accord.goals.v1",
                e.to_bytes(),
                key=e.partition_key.encode(),
                headers=[(k, v.encode()) for k, v in envelope_headers(e).items()],
            )
    finally:
        await producer.stop()


async def _issued_key(producer: Any, tenant: str, client: str, episode: Any) -> bytes:
    episode_id = UUID(str(episode))
    if episode_id not in EPISODE_KEYS:
        EPISODE_KEYS[episode_id] = new_key()
        issued = key_issued(UUID(client), episode_id, EPISODE_KEYS[episode_id], WrappingKeys.development())
        envelope = Envelope.wrap(issued, producer="goals", tenant_id=tenant)
        await producer.send_and_wait(
            EPISODE_KEYS_TOPIC,
            envelope.to_bytes(),
            key=envelope.partition_key.encode(),
            headers=[(k, v.encode()) for k, v in envelope_headers(envelope).items()],
        )
    return EPISODE_KEYS[episode_id]


async def announce(bootstrap: str, tenant: str, *events: IntegrationEvent) -> list[Envelope]:
    envelopes = [Envelope.wrap(e, producer="goals", tenant_id=tenant) for e in events]
    await send_envelopes(bootstrap, *envelopes)
    return envelopes


@dataclass
class CareTeam:
    tenant: str = field(default_factory=lambda: f"tenant-{uuid4().hex[:8]}")
    client: UUID = field(default_factory=uuid4)
    therapist: UUID = field(default_factory=uuid4)
    mum: UUID = field(default_factory=uuid4)
    outsider: UUID = field(default_factory=uuid4)
    episode: UUID = field(default_factory=uuid4)
    opened_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=30))

    def roles(self, person: UUID) -> list[str]:
        return {self.client: ["client"], self.therapist: ["therapist"], self.mum: ["family"]}.get(person, ["client"])

    def opened(self) -> list[IntegrationEvent]:
        return [
            ev.EpisodeOpened(
                client_id=self.client,
                episode_id=self.episode,
                team_id=uuid4(),
                lead_therapist_id=self.therapist,
                opened_at=self.opened_at,
            ),
            ev.ParticipantJoined(
                client_id=self.client,
                episode_id=self.episode,
                person_id=self.mum,
                role=Role.FAMILY,
                relationship_code="parent",
            ),
        ]

    def goal(
        self,
        thresholds: tuple[float, ...] = (5, 7),
        shared: bool = False,
        version: int = 1,
        goal_id: UUID | None = None,
        agreed_days_ago: int = 1,
        review_interval_days: int = 14,
    ) -> ev.GoalAgreed:
        return agreed_goal(
            self.client,
            therapist=self.therapist,
            episode=self.episode,
            goal_id=goal_id,
            version=version,
            thresholds=thresholds,
            shared_with=(self.mum,) if shared else (),
            review_interval_days=review_interval_days,
            agreed_at=datetime.now(UTC) - timedelta(days=agreed_days_ago),
            due_date=date.today() + timedelta(days=60),
        )


class Api:
    def __init__(self, http: httpx.AsyncClient, tokens: TokenFactory, team: CareTeam) -> None:
        self.http, self.tokens, self.team = http, tokens, team

    async def as_(self, person: UUID, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {**self.tokens.bearer(person, self.team.roles(person), self.team.tenant), **kw.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kw)

    async def entry(
        self,
        goal_id: UUID,
        value: float,
        days_ago: float = 0,
        by: UUID | None = None,
        entry_id: UUID | None = None,
        kind: str = "rating",
    ) -> httpx.Response:
        return await self.as_(
            by or self.team.client,
            "POST",
            f"/progress/goals/{goal_id}/entries",
            json=entry_body(value, days_ago, entry_id, kind),
        )


def entry_body(
    value: float, days_ago: float = 0, entry_id: UUID | None = None, kind: str = "rating", goal_id: UUID | None = None
) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    body = {"entry_id": str(entry_id or uuid4()), "kind": kind, "value": value, "occurred_at": at.isoformat()}
    if goal_id:
        body["goal_id"] = str(goal_id)
    return body


class Worker:
    """The progress worker (goal-view consumer and outbox relay), stoppable and restartable by a test."""

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(run_worker(settings(), subscriptions(), stop=self.stop))

    async def halt(self) -> None:
        self.stop.set()
        if self.task:
            await self.task


async def recordable(api: Api, goal_id: UUID) -> None:
    async def known() -> bool:
        r = await api.as_(api.team.client, "GET", f"/progress/goals/{goal_id}")
        return r.status_code == 200

    await eventually(known)


@asynccontextmanager
async def statements_sent(app: FastAPI) -> AsyncIterator[list[str]]:
    """Every statement the API's pool sends while the block runs: one round trip each (asyncpg's query logger on
    every connection of the pool, BEGIN and COMMIT included)."""
    pool: asyncpg.Pool = app.state.resources.pool
    sent: list[str] = []

    def logged(query: LoggedQuery) -> None:
        sent.append(" ".join(query.query.split()))

    held = [await pool.acquire() for _ in range(pool.get_max_size())]  # every connection the pool can lend
    for conn in held:
        conn.add_query_logger(logged)
    for conn in held:
        await pool.release(conn)
    try:
        yield sent
    finally:
        held = [await pool.acquire() for _ in range(pool.get_max_size())]
        for conn in held:
            conn.remove_query_logger(logged)
        for conn in held:
            await pool.release(conn)


async def plans_made(app: FastAPI, *statements_like: str) -> tuple[int, int]:
    """How often PostgreSQL has run the prepared statements like any of `statements_like` on a generic plan (made
    once and kept) and on a custom plan (made for that call), summed over every connection of the API's pool: what
    `pg_prepared_statements` counts for its own session."""
    pool: asyncpg.Pool = app.state.resources.pool
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        counted = [
            await conn.fetchrow(
                "SELECT coalesce(sum(generic_plans), 0)::int AS generic, coalesce(sum(custom_plans), 0)::int AS custom "
                "FROM pg_prepared_statements WHERE statement LIKE ANY($1::text[])",
                statements_like,
            )
            for conn in held
        ]
    finally:
        for conn in held:
            await pool.release(conn)
    return sum(c["generic"] for c in counted), sum(c["custom"] for c in counted)


@asynccontextmanager
async def thousands_of_goals(admin_db: asyncpg.Pool, like: UUID) -> AsyncIterator[None]:
    """2,000 more goals, copies of goal `like`'s row (whatever its columns) in a tenant of their own, with the
    planner's statistics brought up to date: a service's database past its first days. Deleted afterwards."""
    filler = f"tenant-filler-{uuid4()}"
    await admin_db.execute(
        "INSERT INTO progress.goals SELECT (jsonb_populate_record(NULL::progress.goals, to_jsonb(g) || "
        "jsonb_build_object('goal_id', gen_random_uuid(), 'tenant_id', $2::text))).* "
        "FROM progress.goals g, generate_series(1, 2000) WHERE g.goal_id = $1",
        like,
        filler,
    )
    try:
        await admin_db.execute("ANALYZE progress.goals")
        yield
    finally:
        await admin_db.execute("DELETE FROM progress.goals WHERE tenant_id = $1", filler)
