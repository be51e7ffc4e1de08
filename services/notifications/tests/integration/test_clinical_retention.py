"""The end of an episode's clinical retention period applied to the notifications service's tables (through the
handler the worker registers for `EpisodeRecordsExpired`): its view of that episode's care team and goals goes, with
the audit rows older than the period about them, and the removal is audited by the retention job; the client's other
episode, the audit rows about it and about the client (an episode of theirs is kept), and another client's stay."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from accord.notifications.handlers import event_handlers
from accord.notifications.settings import Settings
from accord.shared.clinical_retention import RETENTION_JOB_ID
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired
from accord.shared.events.contracts.notifications import NotificationsEpisodeRecordsRemoved
from accord.shared.runtime import Resources

pytestmark = pytest.mark.integration
TENANT = f"retention-{uuid4()}"


class Outbox:
    def __init__(self) -> None:
        self.added: list[Envelope] = []

    async def add(self, conn: object, *envelopes: Envelope) -> None:
        self.added += envelopes


async def plant(db: asyncpg.Pool, client: UUID) -> UUID:
    """An episode of the client with two members, a goal with its latest entry, an old audit row about the goal and
    one about the client."""
    episode, goal = uuid4(), uuid4()
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO episodes (episode_id, tenant_id, client_id, lead_therapist_id) VALUES ($1, $2, $3, $4)",
            episode,
            TENANT,
            client,
            uuid4(),
        )
        for person in (client, uuid4()):
            await conn.execute(
                "INSERT INTO participants (episode_id, person_id, role, active) VALUES ($1, $2, 'client', true)",
                episode,
                person,
            )
        await conn.execute(
            "INSERT INTO goals (goal_id, tenant_id, client_id, episode_id, status, visibility)"
            " VALUES ($1, $2, $3, $4, 'agreed', 'private')",
            goal,
            TENANT,
            client,
            episode,
        )
        await conn.execute("INSERT INTO client_entries (goal_id, last_entry_at) VALUES ($1, now())", goal)
        for resource, resource_id in (("goal", str(goal)), ("preferences", None)):
            await conn.execute(
                "INSERT INTO audit_log (at, tenant_id, actor_id, actor_roles, action, resource_type, resource_id,"
                " client_id, allowed) VALUES (now() - interval '40 days', $1, $2, '{client}', 'read', $3, $4, $2, 't')",
                TENANT,
                client,
                resource,
                resource_id,
            )
    return episode


async def held(db: asyncpg.Pool, episode: UUID) -> dict[str, int]:
    return {
        "episodes": await db.fetchval("SELECT count(*) FROM episodes WHERE episode_id = $1", episode),
        "participants": await db.fetchval("SELECT count(*) FROM participants WHERE episode_id = $1", episode),
        "goals": await db.fetchval("SELECT count(*) FROM goals WHERE episode_id = $1", episode),
        "client_entries": await db.fetchval(
            "SELECT count(*) FROM client_entries WHERE goal_id IN (SELECT goal_id FROM goals WHERE episode_id = $1)",
            episode,
        ),
    }


async def test_the_expired_episodes_view_and_old_audit_rows_go_and_the_removal_is_audited(
    db: asyncpg.Pool, settings: Settings
) -> None:
    sam, casey = uuid4(), uuid4()
    expired, kept, theirs = await plant(db, sam), await plant(db, sam), await plant(db, casey)
    planted = await held(db, kept)
    assert planted == {"episodes": 1, "participants": 2, "goals": 1, "client_entries": 1}
    event = EpisodeRecordsExpired(
        client_id=sam,
        episode_id=expired,
        expired_at=datetime.now(UTC),
        kept_after=datetime.now(UTC) - timedelta(days=30),
    )
    envelope = Envelope.wrap(event, producer="goals", tenant_id=TENANT)
    outbox = Outbox()
    resources: Resources[Any] = Resources(settings, db, outbox, None)  # type: ignore[arg-type]
    handle = event_handlers(resources)["EpisodeRecordsExpired"]

    async with db.acquire() as conn, conn.transaction():
        await handle(conn, envelope, event)  # type: ignore[call-arg, arg-type]

    assert set((await held(db, expired)).values()) == {0}
    assert await held(db, kept) == planted and await held(db, theirs) == planted
    [removal] = await db.fetch(
        "SELECT action, resource_id, reason FROM audit_log WHERE tenant_id = $1 AND client_id = $2 AND actor_id = $3",
        TENANT,
        sam,
        RETENTION_JOB_ID,
    )
    assert (removal["action"], removal["resource_id"]) == ("remove expired records", str(expired))
    assert "participants: 2" in removal["reason"] and "audit_log: 1" in removal["reason"]
    reads = "SELECT resource_type, count(*) FROM audit_log WHERE client_id = $1 AND action = 'read' GROUP BY 1"
    assert dict(await db.fetch(reads, sam)) == {"goal": 1, "preferences": 2}  # the kept episode's goal, the client
    assert dict(await db.fetch(reads, casey)) == {"goal": 1, "preferences": 1}
    [announced] = outbox.added
    assert announced.producer == "notifications" and announced.causation_id == envelope.event_id
    assert announced.open() == NotificationsEpisodeRecordsRemoved(client_id=sam, episode_id=expired)
