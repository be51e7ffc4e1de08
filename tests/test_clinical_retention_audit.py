"""The audit log is kept as long as the records it is about, in every service that removes an expired episode
(goals by its sweep, progress, notifications and reporting by their inbox handler), against each service's real
tables: a client with two episodes loses, when the first expires, only the old audit rows about that episode; the
rows about the other episode and about the client stay until the last episode goes. The record of a removal, and in
goals the audit of the client's erasure and export requests (kept apart from the clinical record), stay after that."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from accord.goals.adapters.clinical_retention import ClinicalRecords
from accord.goals.domain.clinical_retention import cutoffs
from accord.goals.handlers.clinical_retention import expire_next
from accord.notifications.adapters.clinical_retention import EpisodeRecordsRemoval as NotificationsRemoval
from accord.progress.adapters.clinical_retention import EpisodeRecordsRemoval as ProgressRemoval
from accord.reporting.adapters.clinical_retention import ExpiredEpisodes
from accord.shared.clinical_retention import REMOVAL_ACTION, on_episode_records_expired
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired
from accord.shared.events.contracts.notifications import NotificationsEpisodeRecordsRemoved
from accord.shared.events.contracts.progress import ProgressEpisodeRecordsRemoved
from accord.shared.events.contracts.reporting import ReportingEpisodeRecordsRemoved

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
FIRST_CLOSED, SECOND_CLOSED = NOW - timedelta(days=50), NOW - timedelta(days=40)
OLD = NOW - timedelta(days=60)
Expire = Callable[[Connection, str, UUID, UUID, datetime], Awaitable[None]]


class Outbox:
    async def add(self, conn: Connection, *envelopes: Envelope) -> None:
        pass


def by_inbox(service: str) -> Expire:
    """The service's `EpisodeRecordsExpired` handler, as its inbox runs it."""
    records = {
        "progress": (ProgressRemoval, ProgressEpisodeRecordsRemoved),
        "notifications": (lambda conn: NotificationsRemoval(conn, "notifications"), NotificationsEpisodeRecordsRemoved),
        "reporting": (lambda conn: ExpiredEpisodes(conn, "reporting"), ReportingEpisodeRecordsRemoved),
    }
    repository, removed_event = records[service]
    handle = on_episode_records_expired(service, service, repository, Outbox(), removed_event)

    async def expire(conn: Connection, tenant: str, client: UUID, episode: UUID, kept_after: datetime) -> None:
        await conn.execute(f"SET LOCAL search_path TO {service}")  # as the service's own connections have it
        event = EpisodeRecordsExpired(client_id=client, episode_id=episode, expired_at=NOW, kept_after=kept_after)
        await handle(conn, Envelope.wrap(event, producer="goals", tenant_id=tenant), event)

    return expire


async def by_sweep(conn: Connection, tenant: str, client: UUID, episode: UUID, kept_after: datetime) -> None:
    """The goals sweep, with a period for this test's tenant alone (no other tenant's episode is due)."""
    due = cutoffs(NOW, 100_000, {tenant: (NOW - kept_after).days})
    expired = await expire_next(ClinicalRecords(conn, "goals"), due, NOW)
    assert expired is not None and expired.episode.episode_id == episode


async def insert(conn: Connection, table: str, **values: object) -> None:
    """A row with `values` and a placeholder in every other column that needs one."""
    schema, name = table.split(".")
    needed = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'",
        schema,
        name,
    )
    filler = {"uuid": uuid4(), "text": "x", "boolean": True, "jsonb": "{}", "integer": 0, "smallint": 0}
    row = {c["column_name"]: filler.get(c["data_type"], NOW) for c in needed} | values
    columns = ", ".join(row)
    places = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({places})", *row.values())


async def audited(
    conn: Connection, schema: str, tenant: str, client: UUID, resource: str, rid: UUID, at: datetime
) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.audit_log (at, tenant_id, actor_id, actor_roles, action, resource_type, resource_id,"
        " client_id, allowed) VALUES ($1, $2, $3, '{therapist}', 'read', $4, $5, $6, true)",
        at,
        tenant,
        uuid4(),
        resource,
        str(rid),
        client,
    )


async def left(conn: Connection, schema: str, tenant: str) -> list[tuple[str, str]]:
    rows = await conn.fetch(f"SELECT action, resource_id FROM {schema}.audit_log WHERE tenant_id = $1", tenant)
    return sorted((r["action"], r["resource_id"]) for r in rows)


@pytest.fixture
async def conn(admin_db: asyncpg.Pool) -> AsyncIterator[Connection]:
    """One transaction, rolled back: the rows never reach the other tests."""
    async with admin_db.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        yield connection
        await transaction.rollback()


@pytest.mark.parametrize("service", ["goals", "progress", "notifications", "reporting"])
async def test_audit_rows_about_a_clients_kept_episode_outlive_their_other_episode_and_go_with_the_last(
    conn: Connection, service: str
) -> None:
    tenant, client, first, second = f"t-{uuid4().hex[:8]}", uuid4(), uuid4(), uuid4()
    for episode, closed_at in ((first, FIRST_CLOSED), (second, SECOND_CLOSED)):
        if service == "goals":
            await insert(conn, "goals.episodes", episode_id=episode, tenant_id=tenant, client_id=client,
                         status="closed", closed_at=closed_at)  # fmt: skip
        else:
            await insert(conn, f"{service}.episodes", episode_id=episode, tenant_id=tenant, client_id=client)
    for rid, resource in ((first, "episode"), (second, "episode"), (client, "client_report")):
        await audited(conn, service, tenant, client, resource, rid, OLD)
    await audited(conn, service, tenant, client, "episode", first, NOW - timedelta(days=1))  # within the period
    request = uuid4()
    await audited(conn, service, tenant, client, "erasure_request", request, OLD)
    expire = by_sweep if service == "goals" else by_inbox(service)

    await expire(conn, tenant, client, first, NOW - timedelta(days=45))

    # The old row about the first episode went with it; the recent one, and those about the second and the client,
    # stay (and the removal's own record).
    kept = [(REMOVAL_ACTION, str(first)), ("read", str(first))]
    kept += [("read", str(second)), ("read", str(client)), ("read", str(request))]
    assert await left(conn, service, tenant) == sorted(kept)

    await conn.execute(f"UPDATE {service}.audit_log SET at = $2 WHERE tenant_id = $1", tenant, OLD)  # all old now
    await expire(conn, tenant, client, second, NOW - timedelta(days=35))

    # What stays: the removals' own record; in goals, the audit of the client's erasure request, which goals keeps.
    kept = [(REMOVAL_ACTION, str(first)), (REMOVAL_ACTION, str(second))]
    kept += [("read", str(request))] if service == "goals" else []
    assert await left(conn, service, tenant) == sorted(kept)
