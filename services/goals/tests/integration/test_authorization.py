"""Authorization matrix over every endpoint: nobody sees or changes what is not theirs, and each refusal is audited.

Setup: an episode (client, lead therapist, mum and dad as family) with two agreed goals: one shared with mum,
one private. Outsiders: another client, a therapist not on the episode, a therapist of another tenant.
"""

from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from goals_api import Api, Cast, cast, goal_content

pytestmark = pytest.mark.integration


@dataclass
class World:
    c: Cast
    episode: str
    shared: dict[str, Any]
    private: dict[str, Any]


@pytest.fixture(scope="module")
async def world(goals_http: Any, tokens: Any) -> World:
    api = Api(goals_http, tokens)
    c = cast()
    episode = await api.episode_with_family(c)
    shared, private = await api.agreed_goal(c, episode), await api.agreed_goal(c, episode)
    r = await api.as_(
        c.client,
        "PUT",
        f"/goals/{shared['goal_id']}/visibility",
        json={"visibility": "shared", "shared_with": [str(c.mum.id)]},
        headers={"If-Match": f'"{shared["revision"]}"'},
    )
    assert r.status_code == 200, r.text
    return World(c, episode, r.json(), private)


READS = [  # (path, {actor: expected status})
    (
        "/episodes/{episode}",
        {
            "client": 200,
            "therapist": 200,
            "mum": 200,
            "dad": 200,
            "other_client": 404,
            "other_therapist": 404,
            "other_tenant_therapist": 404,
        },
    ),
    (
        "/goals/{shared}",
        {
            "client": 200,
            "therapist": 200,
            "mum": 200,
            "dad": 404,
            "other_client": 404,
            "other_therapist": 404,
            "other_tenant_therapist": 404,
        },
    ),
    (
        "/goals/{private}",
        {
            "client": 200,
            "therapist": 200,
            "mum": 404,
            "dad": 404,
            "other_client": 404,
            "other_therapist": 404,
            "other_tenant_therapist": 404,
        },
    ),
    ("/goals/{private}/history", {"client": 200, "mum": 404, "dad": 404, "other_therapist": 404}),
    (
        "/episodes/{episode}/goals",
        {"client": 200, "mum": 200, "other_client": 404, "other_therapist": 404, "other_tenant_therapist": 404},
    ),
]

WRITES = [  # (actor, method, path, body, expected)
    (
        "client",
        "POST",
        "/episodes/{episode}/participants",
        {"person_id": "{other_client}", "relationship_code": "parent"},
        403,
    ),
    ("mum", "POST", "/episodes/{episode}/close", None, 403),
    ("other_therapist", "POST", "/episodes/{episode}/close", None, 404),
    (
        "other_tenant_therapist",
        "POST",
        "/episodes/{episode}/participants",
        {"person_id": "{other_client}", "relationship_code": "parent"},
        404,
    ),
    ("other_client", "POST", "/episodes/{episode}/goals", {"content": "GOAL"}, 404),
    ("other_client", "POST", "/episodes", {"client_id": "{client}", "team_id": "{team}"}, 403),
    ("therapist", "PUT", "/goals/{private}/visibility", {"visibility": "shared", "shared_with": ["{mum}"]}, 403),
    ("mum", "PUT", "/goals/{private}/visibility", {"visibility": "shared", "shared_with": ["{mum}"]}, 404),
    ("dad", "POST", "/goals/{private}/pause", None, 404),
    ("dad", "POST", "/goals/{shared}/pause", None, 404),
    ("mum", "POST", "/goals/{shared}/pause", None, 403),
    ("mum", "POST", "/goals/{shared}/closure", {"outcome": "achieved", "reason": "done"}, 403),
    ("other_therapist", "POST", "/goals/{private}/agreements", {"decision": "agree"}, 404),
    ("other_tenant_therapist", "POST", "/goals/{shared}/closure", {"outcome": "achieved", "reason": "x"}, 404),
    ("other_client", "POST", "/goals/{private}/revisions", {"content": "GOAL", "reason": "mine now"}, 404),
]


def fill(template: Any, w: World) -> Any:
    values = {
        "episode": w.episode,
        "shared": w.shared["goal_id"],
        "private": w.private["goal_id"],
        "client": str(w.c.client.id),
        "mum": str(w.c.mum.id),
        "other_client": str(w.c.other_client.id),
        "team": str(w.c.team),
    }
    if template == "GOAL":
        return goal_content()
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {k: fill(v, w) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, w) for v in template]
    return template


@pytest.mark.parametrize(("path", "expected"), READS, ids=[r[0] for r in READS])
async def test_reads(
    world: World, goals_http: Any, tokens: Any, admin_db: asyncpg.Pool, path: str, expected: dict[str, int]
) -> None:
    api = Api(goals_http, tokens)
    for actor, status in expected.items():
        person = getattr(world.c, actor)
        r = await api.as_(person, "GET", fill(path, world), headers={"If-Match": f'"{world.private["revision"]}"'})
        assert r.status_code == status, f"{actor} GET {path}: {r.status_code} {r.text}"
        if status == 404:
            assert r.headers["content-type"] == "application/problem+json"
            assert await denied_rows(admin_db, person.id) > 0, f"{actor}'s refusal was not audited"


async def test_family_lists_show_only_goals_shared_with_them(world: World, api: Api) -> None:
    as_mum = await api.as_(world.c.mum, "GET", f"/episodes/{world.episode}/goals")
    as_dad = await api.as_(world.c.dad, "GET", f"/episodes/{world.episode}/goals")
    as_client = await api.as_(world.c.client, "GET", f"/episodes/{world.episode}/goals")
    assert [g["goal_id"] for g in as_mum.json()["items"]] == [world.shared["goal_id"]]
    assert as_dad.json()["items"] == []
    assert {g["goal_id"] for g in as_client.json()["items"]} == {world.shared["goal_id"], world.private["goal_id"]}


@pytest.mark.parametrize(
    ("actor", "method", "path", "body", "expected"), WRITES, ids=[f"{w[0]} {w[1]} {w[2]}" for w in WRITES]
)
async def test_writes_are_refused_and_change_nothing(
    world: World, api: Api, admin_db: asyncpg.Pool, actor: str, method: str, path: str, body: Any, expected: int
) -> None:
    person = getattr(world.c, actor)
    before = await admin_db.fetchval("SELECT count(*) FROM goals.outbox")
    goals_before = await admin_db.fetch(
        "SELECT goal_id, revision FROM goals.goals WHERE tenant_id = $1 ORDER BY goal_id", world.c.client.tenant
    )
    denied_before = await denied_rows(admin_db, person.id)
    r = await api.as_(
        person,
        method,
        fill(path, world),
        json=fill(body, world),
        headers={"If-Match": f'"{world.private["revision"]}"'},
    )
    assert r.status_code == expected, r.text
    assert await admin_db.fetchval("SELECT count(*) FROM goals.outbox") == before
    assert (
        await admin_db.fetch(
            "SELECT goal_id, revision FROM goals.goals WHERE tenant_id = $1 ORDER BY goal_id", world.c.client.tenant
        )
        == goals_before
    )
    assert await denied_rows(admin_db, person.id) == denied_before + 1


async def test_allowed_reads_are_audited_with_the_client(world: World, api: Api, admin_db: asyncpg.Pool) -> None:
    await api.as_(world.c.therapist, "GET", f"/goals/{world.private['goal_id']}")
    row = await admin_db.fetchrow(
        "SELECT action, client_id, allowed FROM goals.audit_log WHERE actor_id = $1 AND resource_id = $2 "
        "ORDER BY id DESC LIMIT 1",
        world.c.therapist.id,
        world.private["goal_id"],
    )
    assert row is not None and (row["action"], row["client_id"], row["allowed"]) == ("read", world.c.client.id, True)


async def test_no_token_or_a_bad_token_is_401(api: Api, world: World) -> None:
    r = await api.http.get(f"/goals/{world.private['goal_id']}")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = await api.http.get(f"/goals/{world.private['goal_id']}", headers={"Authorization": "Bearer x.y.z"})
    assert r.status_code == 401


async def denied_rows(admin_db: asyncpg.Pool, actor: Any) -> int:
    count: int = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE actor_id = $1 AND NOT allowed", actor
    )
    return count
