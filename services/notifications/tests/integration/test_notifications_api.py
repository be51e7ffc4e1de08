"""The API: my inbox, my preferences, my contact points and push subscriptions - mine only, audited,
problem+json, cursor-paginated, Idempotency-Key on POST."""

import base64
import json
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

pytestmark = pytest.mark.integration


async def fill_inbox(db: asyncpg.Pool, tenant: str, person_id: Any, count: int) -> list[Any]:
    """Inbox items as the consumer would write them (each with its in-app delivery)."""
    ids = []
    for _ in range(count):
        item = uuid4()
        await db.execute(
            "INSERT INTO deliveries (id, tenant_id, source_event_id, correlation_id, client_id, recipient_id, channel, "
            "template_code, link_path, status, due_at) VALUES ($1, $2, $3, $3, $4, $4, 'in_app', "
            "'milestone_celebration', '/goals/x', 'sent', now())",
            item,
            tenant,
            uuid4(),
            person_id,
        )
        await db.execute(
            "INSERT INTO in_app_messages (id, tenant_id, recipient_id, template_code, link_path) "
            "VALUES ($1, $2, $3, 'milestone_celebration', '/goals/x')",
            item,
            tenant,
            person_id,
        )
        ids.append(item)
    return ids


async def test_a_page_cursor_this_api_did_not_give_is_a_problem_naming_the_cursor_on_every_paged_list(
    person: Any, api: httpx.AsyncClient
) -> None:
    me = person(uuid4(), "tenant-cursors")
    # Garbled; the wrong shape; and a time in range as written but not once in UTC (the database could not take it).
    out_of_range = base64.urlsafe_b64encode(json.dumps(["0001-01-01T00:00:00+05:00", str(uuid4())]).encode()).decode()
    for cursor in ("not base64 at all!", "WzFd", out_of_range):
        for path in ("/notifications/inbox", "/notifications/contact-points", "/notifications/push-subscriptions"):
            answer = await api.get(path, params={"cursor": cursor}, headers=me.headers)
            assert answer.status_code == 400, (path, cursor, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["field"] == "cursor"


async def audit_actions(db: asyncpg.Pool, person_id: Any) -> list[tuple[str, str, bool]]:
    rows = await db.fetch(
        "SELECT action, resource_type, allowed FROM audit_log WHERE actor_id = $1 ORDER BY id", person_id
    )
    return [(r["action"], r["resource_type"], r["allowed"]) for r in rows]


async def test_my_inbox_pages_newest_first_counts_unread_and_marks_read(
    person: Any, db: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    me = person(uuid4(), "tenant-inbox")
    ids = await fill_inbox(db, me.tenant, me.id, 5)
    await me.prefer(locale="cy-GB")

    first = (await api.get("/notifications/inbox?limit=3", headers=me.headers)).json()
    second = (await api.get(f"/notifications/inbox?limit=3&cursor={first['next_cursor']}", headers=me.headers)).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [str(i) for i in reversed(ids)]
    assert second["next_cursor"] is None
    assert first["items"][0]["title"] == "Rhywbeth i'w ddathlu yn Accord"  # Welsh, chosen by the person
    assert first["items"][0]["link"] == "https://app.accord.test/goals/x"

    unread = await api.get("/notifications/inbox/unread-count", headers=me.headers)
    assert unread.json() == {"unread": 5}
    read = await api.post(f"/notifications/inbox/{ids[0]}/read", headers=me.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await api.post(f"/notifications/inbox/{ids[0]}/read", headers=me.headers)
    assert again.json()["read_at"] == read.json()["read_at"]
    assert (await api.get("/notifications/inbox/unread-count", headers=me.headers)).json() == {"unread": 4}
    assert ("mark_read", "inbox_item", True) in await audit_actions(db, me.id)
    assert ("list", "inbox", True) in await audit_actions(db, me.id)


async def test_someone_elses_inbox_item_does_not_exist_for_me_and_the_attempt_is_audited(
    person: Any, db: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    owner, other = person(uuid4(), "tenant-x"), person(uuid4(), "tenant-x")
    [item] = await fill_inbox(db, owner.tenant, owner.id, 1)
    r = await api.post(f"/notifications/inbox/{item}/read", headers=other.headers)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert ("mark_read", "inbox_item", False) in await audit_actions(db, other.id)
    assert await other.inbox() == []
    same_person_other_tenant = person(owner.id, "tenant-y")
    assert await same_person_other_tenant.inbox() == []


async def test_preferences_have_defaults_and_are_validated_without_echoing_values(
    person: Any, api: httpx.AsyncClient
) -> None:
    me = person(uuid4(), "tenant-prefs", "therapist")
    r = await api.get("/notifications/preferences", headers=me.headers)
    assert r.json() == {
        "locale": "en",
        "time_zone": "Europe/London",
        "channels": ["email", "push"],
        "quiet_hours": None,
        "clinician_delivery": "immediate",
    }
    body = {
        "locale": "cy",
        "time_zone": "Europe/London",
        "channels": ["email"],
        "quiet_hours": {"start": "21:30", "end": "07:00"},
        "clinician_delivery": "digest",
    }
    assert (await api.put("/notifications/preferences", json=body, headers=me.headers)).status_code == 200
    stored = (await api.get("/notifications/preferences", headers=me.headers)).json()
    assert stored["quiet_hours"] == {"start": "21:30:00", "end": "07:00:00"}
    assert (stored["locale"], stored["channels"], stored["clinician_delivery"]) == ("cy", ["email"], "digest")

    bad = await api.put(
        "/notifications/preferences", json={**body, "time_zone": "Secret/Diary_Entry"}, headers=me.headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "body.time_zone"
    assert "Secret/Diary_Entry" not in bad.text


async def test_email_contact_points_are_mine_idempotent_and_removable(
    person: Any, db: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    me, other = person(uuid4(), "tenant-cp"), person(uuid4(), "tenant-cp")
    key = {"Idempotency-Key": f"add-email-{uuid4()}"}
    body = {"email": "Sam@Example.ORG"}
    first = await api.post("/notifications/contact-points", json=body, headers={**me.headers, **key})
    retry = await api.post("/notifications/contact-points", json=body, headers={**me.headers, **key})
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json() and first.json()["email"] == "Sam@example.org"
    reused = await api.post(
        "/notifications/contact-points", json={"email": "x@example.org"}, headers={**me.headers, **key}
    )
    assert reused.status_code == 422

    listed = (await api.get("/notifications/contact-points", headers=me.headers)).json()
    assert [c["email"] for c in listed["items"]] == ["Sam@example.org"]
    assert (await api.get("/notifications/contact-points", headers=other.headers)).json()["items"] == []

    point = first.json()["id"]
    assert (await api.delete(f"/notifications/contact-points/{point}", headers=other.headers)).status_code == 404
    assert (await api.delete(f"/notifications/contact-points/{point}", headers=me.headers)).status_code == 204
    assert await db.fetchval("SELECT count(*) FROM contact_points WHERE id = $1", point) == 0

    invalid = await api.post("/notifications/contact-points", json={"email": "not an address"}, headers=me.headers)
    assert invalid.status_code == 422 and invalid.json()["field"] == "email"
    assert "not an address" not in invalid.text


async def test_push_subscriptions_must_be_on_an_allowed_push_service_with_real_keys(
    person: Any, push_service: Any, api: httpx.AsyncClient
) -> None:
    me = person(uuid4(), "tenant-push")
    key = (await api.get("/notifications/push/public-key", headers=me.headers)).json()["public_key"]
    assert len(key) == 87  # base64url of a 65-byte uncompressed P-256 point

    subscription = push_service.new_subscription().json(push_service.base_url)
    elsewhere = {**subscription, "endpoint": "http://10.0.0.7/push/x"}
    r = await api.post("/notifications/push-subscriptions", json=elsewhere, headers=me.headers)
    assert r.status_code == 422 and r.json()["field"] == "endpoint"
    bad_keys = {**subscription, "keys": {**subscription["keys"], "p256dh": "A" * 87}}
    r = await api.post("/notifications/push-subscriptions", json=bad_keys, headers=me.headers)
    assert r.status_code == 422 and r.json()["field"] == "keys.p256dh"

    created = await api.post("/notifications/push-subscriptions", json=subscription, headers=me.headers)
    assert created.status_code == 201 and created.json()["endpoint_host"] == "127.0.0.1"
    assert "keys" not in created.json()
    listed = (await api.get("/notifications/push-subscriptions", headers=me.headers)).json()["items"]
    assert [s["id"] for s in listed] == [created.json()["id"]]
    removed = await api.delete(f"/notifications/push-subscriptions/{created.json()['id']}", headers=me.headers)
    assert removed.status_code == 204


async def test_without_a_token_nothing_is_shown(api: httpx.AsyncClient) -> None:
    for path in ["/notifications/inbox", "/notifications/preferences", "/notifications/contact-points"]:
        r = await api.get(path)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def quiet_hours_schema() -> dict[str, Any]:
    from accord.notifications.bootstrap import create_api

    schemas = create_api().openapi()["components"]["schemas"]
    found: dict[str, Any] = next(v for k, v in schemas.items() if k.startswith("QuietHoursBody"))
    return found


async def test_quiet_hours_come_back_as_the_wall_clock_times_the_schema_describes_and_offsets_are_refused(
    person: Any, api: httpx.AsyncClient
) -> None:
    """Quiet hours are local times in the person's time zone: the schema must not promise an RFC 3339 `time` (which
    has an offset) while the answer has none, and a time with an offset is refused rather than silently kept."""
    import re

    me = person(uuid4(), "tenant-prefs", "client")
    body = {
        "locale": "en",
        "time_zone": "Europe/London",
        "channels": [],
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    assert (await api.put("/notifications/preferences", json=body, headers=me.headers)).status_code == 200
    answer = (await api.get("/notifications/preferences", headers=me.headers)).json()["quiet_hours"]
    for end in ("start", "end"):
        documented = quiet_hours_schema()["properties"][end]
        assert documented.get("format") != "time"
        assert re.fullmatch(documented["pattern"], answer[end])
    with_offset = {**body, "quiet_hours": {"start": "22:00:00+01:00", "end": "07:00"}}
    r = await api.put("/notifications/preferences", json=with_offset, headers=me.headers)
    assert r.status_code == 422 and "body.quiet_hours.start" in [e["field"] for e in r.json()["errors"]]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/notifications/contact-points", {"email": "sam\u0000@example.org"}, "body.email"),
        (
            "/notifications/preferences",
            {"locale": "en", "time_zone": "Europe/\u0000London", "channels": []},
            "body.time_zone",
        ),
    ],
)
async def test_a_nul_in_any_text_is_refused_naming_the_field(
    person: Any, api: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    me = person(uuid4(), "tenant-prefs", "client")
    method = "PUT" if path.endswith("preferences") else "POST"
    r = await api.request(method, path, json=body, headers=me.headers)
    assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text
