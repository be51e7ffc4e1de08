"""Against real PostgreSQL: the goals worker's clinical retention sweep removes exactly the episodes closed longer
ago than their tenant's period (their goals, members and visibility record), and the audit rows older than the period
about them; it audits the removal as the retention job and puts `EpisodeRecordsExpired` (ids only) in the outbox. A
newer closed episode of the same client, an open one, and another client's stay as they were."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from goals_api import Api, Cast, cast

from accord.devtools.testing import outbox_events, rolled_back
from accord.goals.adapters.clinical_retention import next_due_statement
from accord.goals.bootstrap import settings
from accord.goals.entrypoints.clinical_retention import remove_expired_episodes
from accord.shared.clinical_retention import RETENTION_JOB_ID
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


async def closed_episode_with_a_shared_goal(api: Api, c: Cast, client_is_other: bool = False) -> str:
    client = c.other_client if client_is_other else c.client
    r = await api.as_(c.therapist, "POST", "/episodes", json={"client_id": str(client.id), "team_id": str(c.team)})
    assert r.status_code == 201, r.text
    episode = r.json()["episode_id"]
    r = await api.as_(
        c.therapist,
        "POST",
        f"/episodes/{episode}/participants",
        json={"person_id": str(c.mum.id), "relationship_code": "parent"},
    )
    assert r.status_code == 201, r.text
    goal = await api.draft(c, episode, by=client)
    r = await api.as_(
        client,
        "PUT",
        f"/goals/{goal['goal_id']}/visibility",
        json={"visibility": "shared", "shared_with": [str(c.mum.id)]},
        headers={"If-Match": f'"{goal["revision"]}"'},
    )
    assert r.status_code == 200, r.text
    assert (await api.as_(c.therapist, "POST", f"/episodes/{episode}/close")).status_code == 200
    return str(episode)


async def closed_days_ago(db: asyncpg.Pool, episode: str, days: int) -> None:
    at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    await db.execute(
        "UPDATE goals.episodes SET doc = jsonb_set(doc, '{closed_at}', to_jsonb($2::text)),"
        " closed_at = $2::timestamptz WHERE episode_id = $1",
        UUID(episode),
        at,
    )


async def rows_of(db: asyncpg.Pool, episode: str) -> dict[str, int]:
    e = UUID(episode)
    return {
        "episodes": await db.fetchval("SELECT count(*) FROM goals.episodes WHERE episode_id = $1", e),
        "members": await db.fetchval("SELECT count(*) FROM goals.episode_members WHERE episode_id = $1", e),
        "goals": await db.fetchval("SELECT count(*) FROM goals.goals WHERE episode_id = $1", e),
        "visibility_changes": await db.fetchval(
            "SELECT count(*) FROM goals.visibility_changes v JOIN goals.goals g USING (goal_id)"
            " WHERE g.episode_id = $1",
            e,
        ),
    }


async def audit_rows(db: asyncpg.Pool, tenant: str, client: UUID, when: str) -> int:
    """How many audit rows about the client were recorded `when` (an SQL condition on `at`)."""
    found = await db.fetchval(
        f"SELECT count(*) FROM goals.audit_log WHERE tenant_id = $1 AND client_id = $2 AND at {when}", tenant, client
    )
    return int(found)


async def expiry_events(db: asyncpg.Pool, tenant: str) -> list[dict[str, Any]]:
    found = await outbox_events(db, "goals")
    return [e for e in found if e["event_type"] == "EpisodeRecordsExpired" and e["tenant_id"] == tenant]


async def test_the_sweep_removes_only_the_episode_past_its_tenants_period_with_old_audit_rows_and_announces_it(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    expired = await closed_episode_with_a_shared_goal(api, c)
    recent = await closed_episode_with_a_shared_goal(api, c)
    still_open = await api.episode_with_family(c)
    others = await closed_episode_with_a_shared_goal(api, c, client_is_other=True)
    for episode, days in ((expired, 40), (recent, 20), (others, 40)):
        await closed_days_ago(admin_db, episode, days)
    # The other client's episode is in a tenant with the default (8 years): 40 days is well within it.
    await admin_db.execute(
        "UPDATE goals.episodes SET tenant_id = 'tenant-elsewhere' WHERE episode_id = $1", UUID(others)
    )
    old_audit = await admin_db.execute(
        "UPDATE goals.audit_log SET at = now() - interval '35 days' WHERE id IN (SELECT id FROM goals.audit_log"
        " WHERE tenant_id = $1 AND client_id = $2 ORDER BY id LIMIT 3)",
        c.client.tenant,
        c.client.id,
    )
    await admin_db.execute(
        "UPDATE goals.audit_log SET at = now() - interval '35 days' WHERE tenant_id = $1 AND client_id = $2",
        c.client.tenant,
        c.other_client.id,
    )
    before = {e: await rows_of(admin_db, e) for e in (recent, still_open, others)}
    assert (await rows_of(admin_db, expired))["visibility_changes"] == 1
    recent_audit = await audit_rows(admin_db, c.client.tenant, c.client.id, "> now() - interval '1 day'")

    config = settings().model_copy(update={"retention_clinical_record_days_by_tenant": {c.client.tenant: 30}})
    async with open_resources(config) as res:
        removed = await remove_expired_episodes(res, datetime.now(UTC))
        again = await remove_expired_episodes(res, datetime.now(UTC))

    assert await rows_of(admin_db, expired) == {"episodes": 0, "members": 0, "goals": 0, "visibility_changes": 0}
    assert {e: await rows_of(admin_db, e) for e in (recent, still_open, others)} == before
    assert removed["removed_episodes"] >= 1 and again["removed_episodes"] == 0
    assert await audit_rows(admin_db, c.client.tenant, c.client.id, "< now() - interval '30 days'") == 0
    assert old_audit == "UPDATE 3"
    kept = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE tenant_id = $1 AND client_id = $2 AND actor_id <> $3",
        c.client.tenant,
        c.client.id,
        RETENTION_JOB_ID,
    )
    assert kept == recent_audit
    assert await audit_rows(admin_db, c.client.tenant, c.other_client.id, "< now() - interval '30 days'") > 0
    [removal] = await admin_db.fetch(
        "SELECT actor_roles, action, resource_type, resource_id, reason FROM goals.audit_log"
        " WHERE tenant_id = $1 AND client_id = $2 AND actor_id = $3",
        c.client.tenant,
        c.client.id,
        RETENTION_JOB_ID,
    )
    assert (removal["action"], removal["resource_type"], removal["resource_id"]) == (
        "remove expired records",
        "episode",
        expired,
    )
    assert "goals: 1" in removal["reason"] and "audit_log: 3" in removal["reason"]
    [event] = await expiry_events(admin_db, c.client.tenant)
    assert event["payload"]["episode_id"] == expired and event["payload"]["client_id"] == str(c.client.id)
    assert set(event["payload"]) == {"client_id", "episode_id", "expired_at", "kept_after"}
    # The expired episode's key is destroyed here in the same transaction, with a tombstone for its record on the
    # keys topic; the others keep theirs.
    keys = {r["episode_id"]: r["key"] for r in await admin_db.fetch("SELECT episode_id, key FROM goals.episode_keys")}
    assert keys[UUID(expired)] is None and all(keys[UUID(e)] is not None for e in (recent, still_open, others))
    tombstones = await admin_db.fetch("SELECT topic FROM goals.outbox WHERE message_key = $1 AND payload = ''", expired)
    assert [t["topic"] for t in tombstones] == ["accord.episode-keys.v1"]
    [noted] = await admin_db.fetch(
        "SELECT episode_id, client_id, team_id, removed FROM goals.episode_expiries WHERE tenant_id = $1",
        c.client.tenant,
    )
    assert (str(noted["episode_id"]), noted["client_id"], noted["team_id"]) == (expired, c.client.id, c.team)
    assert list(json.loads(noted["removed"])) == ["goals"]  # the other services' reports come later


async def test_the_sweep_finds_the_next_due_episode_through_the_index_of_closed_episodes() -> None:
    config = settings()
    async with rolled_back(config) as conn:
        # The planner would read a table this small from end to end anyway: forbid that, and see what is left to it.
        await conn.execute("SET LOCAL enable_seqscan = off")
        now = datetime.now(UTC)
        statement = next_due_statement(config.db_schema)
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {statement}", ["t"], [now], now, now))
    assert "episodes_closed_by_time" in plan, plan
