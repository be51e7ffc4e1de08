"""Against real PostgreSQL, through the goals API: a supervisor pages through the removals of their teams' episodes
(`GET /goals/episode-expiries`), newest first, without repeats or gaps even where two removals share a time, each
service's report or its absence shown, each removal answered audited as read; another team's and another tenant's
removals are not shown; a therapist is refused (403) and the refusal audited."""

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from goals_api import Api, Person

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


async def note(db: asyncpg.Pool, tenant: str, team: UUID, at: datetime, removed: dict[str, datetime]) -> str:
    episode = uuid4()
    await db.execute(
        "INSERT INTO goals.episode_expiries (tenant_id, episode_id, client_id, team_id, expired_at, removed)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        tenant,
        episode,
        uuid4(),
        team,
        at,
        json.dumps({service: when.isoformat() for service, when in removed.items()}),
    )
    return str(episode)


async def test_a_supervisor_pages_through_their_teams_removals_newest_first_and_others_are_refused(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    tenant, team = f"tenant-{uuid4().hex[:8]}", uuid4()
    supervisor = Person(uuid4(), ["supervisor"], tenant, teams=[team])
    reported = {"goals": NOW, "reporting": NOW + timedelta(seconds=2)}
    times = [NOW - timedelta(minutes=m) for m in (1, 2, 2, 2, 3)]  # three at the same time: the id breaks the tie
    mine = [await note(admin_db, tenant, team, at, reported) for at in times]
    await note(admin_db, tenant, uuid4(), NOW, reported)  # another team's
    await note(admin_db, f"tenant-{uuid4().hex[:8]}", team, NOW, reported)  # the same team id in another tenant

    seen = await api.every_page(supervisor, "/goals/episode-expiries", {"limit": 2})

    newest_first = sorted(zip(times, mine, strict=True), key=lambda p: (p[0], UUID(p[1])), reverse=True)
    assert [item["episode_id"] for item in seen] == [episode for _, episode in newest_first]
    first = seen[0]
    assert set(first) == {"episode_id", "client_id", "expired_at", "services", "complete"}  # ids and times only
    assert [(s["service"], s["applied"]) for s in first["services"]] == [  # type: ignore[attr-defined]
        ("goals", True),
        ("progress", False),
        ("notifications", False),
        ("reporting", True),
    ]
    reads = await admin_db.fetch(
        "SELECT resource_id FROM goals.audit_log WHERE actor_id = $1 AND action = 'read' AND allowed"
        " AND resource_type = 'episode_expiry'",
        supervisor.id,
    )
    assert sorted(r["resource_id"] for r in reads) == sorted(mine)

    therapist = Person(uuid4(), ["therapist"], tenant, teams=[team])
    refused = await api.as_(therapist, "GET", "/goals/episode-expiries")
    assert refused.status_code == 403
    denied = "SELECT count(*) FROM goals.audit_log WHERE actor_id = $1 AND NOT allowed"
    assert await admin_db.fetchval(denied, therapist.id) == 1
    garbled = await api.as_(supervisor, "GET", "/goals/episode-expiries", params={"cursor": "bm90IGEgY3Vyc29y"})
    assert garbled.status_code == 400
