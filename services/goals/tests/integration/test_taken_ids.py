"""A client-supplied id that another tenant's record already has: a conflict, not a crash on the unique key."""

from uuid import uuid4

import asyncpg
import pytest
from goals_api import Api, cast, goal_content

pytestmark = pytest.mark.integration


async def test_an_episode_id_taken_in_another_tenant_is_a_conflict_and_nothing_is_committed(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    ours, theirs, taken = cast(), cast(), str(uuid4())
    for c, expected in ((ours, 201), (theirs, 409)):
        body = {"episode_id": taken, "client_id": str(c.client.id), "team_id": str(c.team)}
        r = await api.as_(c.therapist, "POST", "/episodes", json=body)
        assert r.status_code == expected, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "tenant" not in r.text  # which tenant holds the id is not said
    rows = await admin_db.fetch("SELECT tenant_id FROM goals.episodes WHERE episode_id = $1", taken)
    assert [row["tenant_id"] for row in rows] == [ours.client.tenant]


async def test_a_goal_id_taken_in_another_tenant_is_a_conflict_and_nothing_is_committed(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    ours, theirs, taken = cast(), cast(), str(uuid4())
    for c, expected in ((ours, 201), (theirs, 409)):
        episode = await api.episode_with_family(c)
        body = {"goal_id": taken, "content": goal_content()}
        r = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json=body)
        assert r.status_code == expected, r.text
    rows = await admin_db.fetch("SELECT client_id FROM goals.goals WHERE goal_id = $1", taken)
    assert [row["client_id"] for row in rows] == [ours.client.id]
