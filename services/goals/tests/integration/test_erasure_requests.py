"""Against real PostgreSQL: the list of erasure requests. A supervisor sees the waiting requests of the clients of
their teams, each saying whether they may decide it (never one they asked for themself); a therapist sees the ones
they recorded; anyone else sees none; every request answered is audited as read."""

import json
from typing import Any
from typing import cast as as_type
from uuid import uuid4

import asyncpg
import pytest
from goals_api import Api, Person, cast

from accord.goals.adapters.erasure import ErasureRequests
from accord.shared.auth import Principal
from accord.shared.db import Connection

pytestmark = pytest.mark.integration


async def test_a_supervisor_sees_their_teams_waiting_requests_and_may_decide_only_those_they_did_not_ask_for(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    await api.episode_with_family(c)
    supervisor = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[c.team])
    elsewhere = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[uuid4()])
    body = {"client_id": str(c.client.id), "request_reference": "DPA-7"}
    recorded = (await api.as_(c.therapist, "POST", "/goals/erasure-requests", json=body)).json()["request_id"]
    own = (await api.as_(supervisor, "POST", "/goals/erasure-requests", json=body)).json()["request_id"]
    decided = await api.as_(c.client, "POST", "/goals/erasure-requests", json={"client_id": str(c.client.id)})
    refused = await api.as_(
        supervisor,
        "POST",
        f"/goals/erasure-requests/{decided.json()['request_id']}/decision",
        json={"decision": "refused"},
    )
    assert refused.status_code == 200, refused.text

    waiting = await api.as_(supervisor, "GET", "/goals/erasure-requests", params={"status": "waiting"})
    assert waiting.status_code == 200, waiting.text
    may_decide = {item["request_id"]: item["may_decide"] for item in waiting.json()["items"]}
    assert may_decide == {recorded: True, own: False}  # the decided one is not waiting

    for outsider in (elsewhere, c.other_therapist, c.other_client, c.mum):
        answer = await api.as_(outsider, "GET", "/goals/erasure-requests", params={"status": "waiting"})
        assert answer.status_code == 200 and answer.json()["items"] == []

    mine = await api.as_(c.therapist, "GET", "/goals/erasure-requests", params={"client_id": str(c.client.id)})
    assert [(i["request_id"], i["may_decide"]) for i in mine.json()["items"]] == [(recorded, False)]
    theirs = await api.as_(c.client, "GET", "/goals/erasure-requests", params={"client_id": str(c.client.id)})
    assert {i["request_id"] for i in theirs.json()["items"]} == {recorded, own, decided.json()["request_id"]}

    single = await api.as_(supervisor, "GET", f"/goals/erasure-requests/{recorded}")
    assert single.json()["may_decide"] is True

    reads = await admin_db.fetch(
        "SELECT resource_id FROM goals.audit_log WHERE actor_id = $1 AND action = 'read' AND allowed"
        " AND resource_type = 'erasure_request'",
        supervisor.id,
    )
    assert [r["resource_id"] for r in reads].count(recorded) == 2  # the list and the single read


async def test_the_list_refuses_an_unknown_status_naming_the_field(api: Api) -> None:
    c = cast()
    answer = await api.as_(c.therapist, "GET", "/goals/erasure-requests", params={"status": "everything"})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert "status" in answer.text


async def test_a_supervisor_of_the_team_is_offered_the_lift_of_an_approved_request_until_it_is_lifted_and_no_one_else(
    api: Api,
) -> None:
    c = cast()
    await api.episode_with_family(c)
    supervisor = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[c.team])
    elsewhere = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[uuid4()])
    asked = await api.as_(c.client, "POST", "/goals/erasure-requests", json={"client_id": str(c.client.id)})
    request_id = asked.json()["request_id"]
    assert (asked.json()["may_lift"], asked.json()["lifted_at"]) == (False, None)
    approved = await api.as_(
        supervisor, "POST", f"/goals/erasure-requests/{request_id}/decision", json={"decision": "approved"}
    )
    assert approved.status_code == 200, approved.text
    query = {"client_id": str(c.client.id)}

    async def offered(who: Person) -> list[tuple[bool, object]]:
        answer = await api.as_(who, "GET", "/goals/erasure-requests", params=query)
        return [(i["may_lift"], i["lifted_at"]) for i in answer.json()["items"]]

    assert await offered(supervisor) == [(True, None)]
    assert (await api.as_(supervisor, "GET", f"/goals/erasure-requests/{request_id}")).json()["may_lift"] is True
    assert await offered(c.client) == [(False, None)] and await offered(elsewhere) == []
    assert await offered(c.therapist) == []  # neither asked nor a supervisor: not theirs to follow

    lifted = await api.as_(
        supervisor, "POST", f"/goals/erasure-requests/{request_id}/restriction-lift", json={"reason": "Corrected"}
    )
    assert lifted.status_code == 200, lifted.text
    after = await api.as_(supervisor, "GET", f"/goals/erasure-requests/{request_id}")
    assert after.json()["may_lift"] is False and after.json()["lifted_at"] == lifted.json()["lifted_at"]
    assert await offered(c.client) == [(False, lifted.json()["lifted_at"])]


async def test_the_list_pages_by_keyset_without_repeats_or_gaps_even_where_requests_share_a_time(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    await api.episode_with_family(c)
    asked = []
    for _ in range(5):
        answer = await api.as_(c.client, "POST", "/goals/erasure-requests", json={"client_id": str(c.client.id)})
        asked.append(answer.json()["request_id"])
    # Three asked at the same moment: the request id orders them.
    await admin_db.execute(
        "UPDATE goals.erasure_requests SET requested_at = now() - interval '1 hour' WHERE request_id = ANY($1::uuid[])",
        asked[1:4],
    )
    rows = await admin_db.fetch(
        "SELECT request_id::text FROM goals.erasure_requests WHERE tenant_id = $1"
        " ORDER BY requested_at DESC, request_id DESC",
        c.client.tenant,
    )

    pages = await api.every_page(c.client, "/goals/erasure-requests", {"client_id": str(c.client.id), "limit": 2})
    seen = [item["request_id"] for item in pages]

    assert seen == [r["request_id"] for r in rows] and sorted(seen) == sorted(asked)
    too_many = await api.as_(c.client, "GET", "/goals/erasure-requests", params={"limit": 51})
    assert too_many.status_code == 422


async def test_a_restriction_older_than_a_page_of_newer_requests_is_listed_among_the_restrictions_in_place(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    await api.episode_with_family(c)
    supervisor = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[c.team])
    asked = await api.as_(c.client, "POST", "/goals/erasure-requests", json={"client_id": str(c.client.id)})
    old = asked.json()["request_id"]
    decided = await api.as_(
        supervisor, "POST", f"/goals/erasure-requests/{old}/decision", json={"decision": "approved"}
    )
    assert decided.status_code == 200, decided.text
    # A full page of newer requests about the same client, none restricting (waiting, or refused).
    await admin_db.execute(
        "INSERT INTO goals.erasure_requests (request_id, tenant_id, client_id, requested_by, requested_by_roles,"
        " requested_at, decision) SELECT gen_random_uuid(), $1, $2, $2, '{client}', now() + n * interval '1 second',"
        " CASE WHEN n % 2 = 0 THEN 'refused' END FROM generate_series(1, 50) AS n",
        c.client.tenant,
        c.client.id,
    )
    newest = await api.as_(supervisor, "GET", "/goals/erasure-requests")
    assert old not in [i["request_id"] for i in newest.json()["items"]]  # what the screen used to look among

    restricted = await api.as_(supervisor, "GET", "/goals/erasure-requests", params={"status": "restricted"})
    assert restricted.status_code == 200, restricted.text
    assert [(i["request_id"], i["may_lift"]) for i in restricted.json()["items"]] == [(old, True)]
    assert restricted.json()["next_cursor"] is None
    own = await api.as_(c.client, "GET", "/goals/erasure-requests", params={"status": "restricted"})
    assert [(i["request_id"], i["may_lift"]) for i in own.json()["items"]] == [(old, False)]
    for outsider in (Person(uuid4(), ["supervisor"], c.client.tenant, teams=[uuid4()]), c.therapist, c.other_client):
        answer = await api.as_(outsider, "GET", "/goals/erasure-requests", params={"status": "restricted"})
        assert answer.status_code == 200 and answer.json()["items"] == []
    reads = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE actor_id = $1 AND action = 'read' AND allowed"
        " AND resource_type = 'erasure_request' AND resource_id = $2",
        supervisor.id,
        old,
    )
    assert reads == 1  # read through the restricted list only

    lifted = await api.as_(
        supervisor, "POST", f"/goals/erasure-requests/{old}/restriction-lift", json={"reason": "Corrected"}
    )
    assert lifted.status_code == 200, lifted.text
    after = await api.as_(supervisor, "GET", "/goals/erasure-requests", params={"status": "restricted"})
    assert after.json()["items"] == []


async def test_a_page_of_a_tenants_many_requests_is_read_in_order_from_the_index_without_sorting_them_all(
    admin_db: asyncpg.Pool,
) -> None:
    """The list's own statement, explained: with thousands of requests in a tenant, a page is read newest first from
    `erasure_requests_by_time` (migration 0015) and nothing sorts the tenant's requests to find it."""
    tenant, officer = f"tenant-{uuid4().hex[:12]}", uuid4()
    await admin_db.execute(
        "INSERT INTO goals.erasure_requests (request_id, tenant_id, client_id, requested_by, requested_by_roles,"
        " requested_at) SELECT gen_random_uuid(), $1, gen_random_uuid(), $2, '{therapist}',"
        " now() - g * interval '1 minute' FROM generate_series(1, 5000) g",
        tenant,
        officer,
    )
    await admin_db.execute("ANALYZE goals.erasure_requests")
    plans: list[Any] = []

    class Explained:
        """Stands in for the connection: each statement explained, not run."""

        def __init__(self, conn: asyncpg.Connection) -> None:
            self.conn = conn

        async def fetch(self, sql: str, *args: Any) -> list[Any]:
            plans.append(json.loads(await self.conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, *args)))
            return []

    me = Principal(subject=officer, tenant_id=tenant, roles=frozenset({"therapist"}))
    async with admin_db.acquire() as conn:
        await ErasureRequests(as_type(Connection, Explained(conn)), "goals").followed_by(me, None, None, None, 50)

    await admin_db.execute("DELETE FROM goals.erasure_requests WHERE tenant_id = $1", tenant)

    [plan] = plans
    assert "erasure_requests_by_time" in json.dumps(plan)
    assert '"Node Type": "Sort"' not in json.dumps(plan)
