"""Input an attacker's probe sent: refused as 422 problem+json naming the field, nothing stored; one bad item of a
batch is refused on its own; an outsider's refusals for an existing and for a missing goal take the same path."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from asyncpg.connection import Connection
from progress_world import Api, CareTeam, announce, entry_body, recordable

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).isoformat()


async def stored(admin_db: asyncpg.Pool, team: CareTeam) -> tuple[int, int, int]:
    entries = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE client_id = $1", team.client)
    checkins = await admin_db.fetchval("SELECT count(*) FROM progress.checkins WHERE client_id = $1", team.client)
    outbox = await admin_db.fetchval("SELECT count(*) FROM progress.outbox WHERE message_key = $1", str(team.client))
    return entries, checkins, outbox


def named(problem: dict[str, Any], field: str) -> bool:
    return field == problem.get("field") or field in [e["field"] for e in problem.get("errors", [])]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": "felt ok\u0000today"}, "body.note"),
        ({"note": "bell \u0007"}, "body.note"),
        ({"value": "5"}, "body.value"),
        ({"value": True}, "body.value"),
        ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "body.occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00Z"}, "body.occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-14:00"}, "body.occurred_at"),
    ],
)
async def test_an_entry_with_a_control_character_a_coerced_number_or_a_far_instant_is_refused(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    before = await stored(admin_db, team)
    r = await api.as_(team.client, "POST", f"/progress/goals/{goal.goal_id}/entries", json=entry_body(4) | change)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert named(r.json(), field)
    assert await stored(admin_db, team) == before


async def test_a_rating_naming_another_goals_milestone_is_refused(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    mine, other = team.goal(), team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), mine, other)
    await recordable(api, mine.goal_id)
    before = await stored(admin_db, team)
    body = entry_body(4) | {"milestone_id": str(other.milestones[0].milestone_id)}
    r = await api.as_(team.client, "POST", f"/progress/goals/{mine.goal_id}/entries", json=body)
    assert r.status_code == 422 and r.json()["field"] == "milestone_id"
    assert await stored(admin_db, team) == before
    own = entry_body(4) | {"milestone_id": str(mine.milestones[0].milestone_id)}
    assert (await api.as_(team.client, "POST", f"/progress/goals/{mine.goal_id}/entries", json=own)).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mood": 3, "text": "rough\u0000week", "occurred_at": NOW}, "body.text"),
        ({"mood": "3", "occurred_at": NOW}, "body.mood"),
        ({"mood": True, "occurred_at": NOW}, "body.mood"),
        ({"mood": 3, "share_with_therapist": "yes", "occurred_at": NOW}, "body.share_with_therapist"),
        ({"mood": 3, "occurred_at": "0001-01-01T00:00:00+14:00"}, "body.occurred_at"),
        ({"mood": 3, "occurred_at": "0001-01-01T00:00:00Z"}, "body.occurred_at"),
    ],
)
async def test_a_check_in_with_a_control_character_a_coerced_value_or_a_far_instant_is_refused(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    await announce(infra.bootstrap_servers, team.tenant, *team.opened())
    fine = {"mood": 3, "occurred_at": NOW}

    async def in_care() -> bool:  # the episode has arrived: a good check-in is taken
        r = await api.as_(team.client, "POST", "/progress/checkins", json=fine | {"checkin_id": str(uuid4())})
        return r.status_code == 201

    await eventually(in_care)
    before = await stored(admin_db, team)
    r = await api.as_(team.client, "POST", "/progress/checkins", json=body)
    assert r.status_code == 422 and named(r.json(), field), r.text
    assert await stored(admin_db, team) == before


async def test_answers_must_be_numbers_and_sharing_a_boolean(api: Api, team: CareTeam) -> None:
    answers = [1, True, 0, 0, 0, 0, 0, 0, 0]
    r = await api.as_(
        team.client,
        "POST",
        "/progress/questionnaires",
        json={"instrument": "PHQ-9", "answers": answers, "occurred_at": NOW},
    )
    assert r.status_code == 422 and named(r.json(), "body.answers.1")
    r = await api.as_(team.client, "PUT", f"/progress/checkins/{uuid4()}/sharing", json={"shared": "true"})
    assert r.status_code == 422 and named(r.json(), "body.shared")


async def test_one_entry_with_a_nul_in_a_batch_is_refused_on_its_own_and_the_rest_are_recorded(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    before = await stored(admin_db, team)
    poisoned = entry_body(5, days_ago=1, goal_id=goal.goal_id) | {"note": "a\u0000b"}
    entries = [
        entry_body(4, days_ago=2, goal_id=goal.goal_id),
        poisoned,
        entry_body(6, days_ago=1, goal_id=goal.goal_id) | {"occurred_at": "0001-01-01T00:00:00+14:00"},
        {"entry_id": "not-a-uuid"},
        entry_body(2, days_ago=1, goal_id=goal.goal_id) | {"entry_id": f"{uuid4()}\u0005"},
        entry_body(3, days_ago=1, goal_id=goal.goal_id),
    ]
    r = await api.as_(team.client, "POST", "/progress/entries/batch", json={"entries": entries})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "rejected", "rejected", "rejected", "rejected", "created"]
    assert results[1]["entry_id"] == poisoned["entry_id"] and results[1]["problem"]["field"] == "note"
    assert results[2]["problem"]["field"] == "occurred_at"
    assert results[3]["entry_id"] is None and results[3]["problem"]["status"] == 422
    assert results[4]["problem"]["field"] == "entry_id"
    assert "\u0000" not in r.text and "\\u0000" not in r.text
    # The UUID parser's message quotes the character it stumbled on: escaped, never read back.
    assert "\u0005" not in results[4]["problem"]["errors"][0]["message"]
    assert (await stored(admin_db, team))[0] == before[0] + 2


@contextmanager
def statements_of_this_task() -> Iterator[list[str]]:
    """Every SQL statement this task sends (the worker's, in other tasks, are not counted)."""
    seen: list[str] = []
    me = asyncio.current_task()
    execute, executemany = Connection._execute, Connection._executemany

    async def counted_execute(self: Connection, query: str, *args: Any, **kw: Any) -> Any:
        if asyncio.current_task() is me:
            seen.append(query)
        return await execute(self, query, *args, **kw)

    async def counted_executemany(self: Connection, query: str, *args: Any, **kw: Any) -> Any:
        if asyncio.current_task() is me:
            seen.append(query)
        return await executemany(self, query, *args, **kw)

    Connection._execute, Connection._executemany = counted_execute, counted_executemany  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Connection._execute, Connection._executemany = execute, executemany  # type: ignore[method-assign]


async def test_an_outsiders_refusals_for_an_existing_and_a_missing_goal_run_the_same_statements_and_audit_alike(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    """The answer hides whether the goal exists; so must the work behind it (what is timed in bench/refusal_timing)."""
    existing, missing = team.goal(), uuid4()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), existing)
    await recordable(api, existing.goal_id)
    answers, statements = [], []
    for goal_id in (existing.goal_id, missing):
        with statements_of_this_task() as seen:
            answers.append(await api.as_(team.outsider, "GET", f"/progress/goals/{goal_id}"))
        statements.append(seen)
    assert [(r.status_code, r.json()["detail"]) for r in answers] == [
        (answers[0].status_code, answers[0].json()["detail"])
    ] * 2
    assert statements[0] == statements[1] and any("audit_log" in q for q in statements[0])
    rows = await admin_db.fetch(
        "SELECT resource_id, action, resource_type, allowed, reason, client_id FROM progress.audit_log "
        "WHERE actor_id = $1 ORDER BY id",
        team.outsider,
    )
    shape = [(r["action"], r["resource_type"], r["allowed"], r["reason"]) for r in rows]
    assert shape == [("read progress", "goal", False, "NotYetKnown")] * 2
    assert [r["resource_id"] for r in rows] == [str(existing.goal_id), str(missing)]
