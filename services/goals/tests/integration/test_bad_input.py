"""Bad input gets the right 4xx as problem+json naming the field, and changes nothing."""

import base64
import json
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from goals_api import Api, cast, goal_content

pytestmark = pytest.mark.integration


async def snapshot(admin_db: asyncpg.Pool, tenant: str) -> tuple[Any, ...]:
    goals = await admin_db.fetch("SELECT goal_id, revision FROM goals.goals WHERE tenant_id = $1 ORDER BY 1", tenant)
    outbox = await admin_db.fetchval("SELECT count(*) FROM goals.outbox")
    return tuple(goals), outbox


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"confidence": 11}, "body.content.confidence"),
        ({"review_interval_days": 0}, "body.content.review_interval_days"),
        ({"statement": "x" * 501}, "body.content.statement"),
        ({"category_code": "Not A Code!"}, "body.content.category_code"),
        ({"measure": {"kind": "telepathy", "minimum": 0, "maximum": 10}}, "body.content.measure.kind"),
        ({"due_date": "next tuesday"}, "body.content.due_date"),
    ],
)
async def test_out_of_range_or_oversized_values_are_422_naming_the_field(
    api: Api, admin_db: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    before = await snapshot(admin_db, c.client.tenant)
    r = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json={"content": goal_content(**change)})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert "x" * 501 not in r.text  # the submitted text is never echoed back
    assert await snapshot(admin_db, c.client.tenant) == before


async def test_unknown_ids_wrong_state_and_stale_edits(api: Api, admin_db: asyncpg.Pool) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    assert (await api.as_(c.client, "GET", f"/goals/{uuid4()}")).status_code == 404
    assert (
        await api.as_(c.client, "POST", f"/episodes/{uuid4()}/goals", json={"content": goal_content()})
    ).status_code == 404
    goal = await api.draft(c, episode)
    url = f"/goals/{goal['goal_id']}"
    before = await snapshot(admin_db, c.client.tenant)
    wrong_state = await api.as_(c.client, "POST", f"{url}/agreements", json={"decision": "agree"})
    assert wrong_state.status_code == 409 and wrong_state.json()["title"] == "Conflict"
    stale = await api.as_(
        c.client, "PUT", f"{url}/draft", json={"content": goal_content(target=9)}, headers={"If-Match": '"999"'}
    )
    assert stale.status_code == 412
    missing = await api.as_(c.client, "PUT", f"{url}/draft", json={"content": goal_content(target=9)})
    assert missing.status_code == 428 and missing.json()["field"] == "If-Match"
    not_smart = await api.as_(
        c.client, "PUT", f"{url}/draft", json={"content": goal_content(statement="better")}, headers={"If-Match": '"1"'}
    )
    assert not_smart.status_code == 200  # a draft may be vague; proposing it may not
    r = await api.as_(c.client, "POST", f"{url}/proposal", json={})
    assert r.status_code == 422 and r.json()["field"] == "content" and "specific" in r.json()["detail"]
    assert await snapshot(admin_db, c.client.tenant) != before  # only the allowed edit changed anything
    assert (await api.as_(c.client, "GET", url)).json()["status"] == "draft"


async def test_the_active_goal_limit_refuses_a_sixth_goal(api: Api) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    for _ in range(5):
        goal = await api.draft(c, episode)
        assert (await api.as_(c.client, "POST", f"/goals/{goal['goal_id']}/proposal", json={})).status_code == 200
    sixth = await api.draft(c, episode)
    r = await api.as_(c.client, "POST", f"/goals/{sixth['goal_id']}/proposal", json={})
    assert r.status_code == 409 and "limit of 5" in r.json()["detail"]


async def test_idempotency_key_and_client_supplied_ids_make_retries_safe(api: Api, admin_db: asyncpg.Pool) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    body = {"goal_id": str(uuid4()), "content": goal_content()}
    key = {"Idempotency-Key": f"k-{uuid4()}"}
    first = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json=body, headers=key)
    again = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json=body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    no_key_retry = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json=body)
    assert no_key_retry.status_code == 201 and no_key_retry.json()["goal_id"] == body["goal_id"]
    reused = await api.as_(
        c.client, "POST", f"/episodes/{episode}/goals", json={"content": goal_content(target=9)}, headers=key
    )
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"
    taken = await api.as_(
        c.therapist,
        "POST",
        f"/episodes/{episode}/goals",
        json={"goal_id": body["goal_id"], "content": goal_content(target=9)},
    )
    assert taken.status_code == 409
    count = await admin_db.fetchval("SELECT count(*) FROM goals.goals WHERE goal_id = $1", first.json()["goal_id"])
    assert count == 1


async def test_goal_lists_are_cursor_paginated_and_filtered_by_status(api: Api) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    created = [(await api.draft(c, episode))["goal_id"] for _ in range(3)]
    await api.as_(c.client, "POST", f"/goals/{created[0]}/proposal", json={})
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.as_(c.therapist, "GET", f"/episodes/{episode}/goals", params=params)).json()
        seen += [g["goal_id"] for g in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == created
    proposed = await api.as_(c.therapist, "GET", f"/episodes/{episode}/goals", params={"status": "proposed"})
    assert [g["goal_id"] for g in proposed.json()["items"]] == [created[0]]
    # Garbled, and a time in range as written but not once in UTC (the database could not take it: it was a 500).
    out_of_range = base64.urlsafe_b64encode(json.dumps(["0001-01-01T00:00:00+05:00", str(uuid4())]).encode()).decode()
    for cursor in ("garbage!", out_of_range):
        for path in (f"/episodes/{episode}/goals", "/episodes"):
            bad = await api.as_(c.therapist, "GET", path, params={"cursor": cursor})
            assert bad.status_code == 400 and bad.json()["field"] == "cursor", (path, cursor, bad.text)
