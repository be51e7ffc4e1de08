"""Input an attacker's probe sent: each is refused as 422 problem+json naming the field, and nothing is committed."""

import json
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from goals_api import Api, cast, goal_content

pytestmark = pytest.mark.integration


async def committed(admin_db: asyncpg.Pool, tenant: str) -> tuple[Any, ...]:
    goals = await admin_db.fetch("SELECT goal_id, revision FROM goals.goals WHERE tenant_id = $1 ORDER BY 1", tenant)
    outbox = await admin_db.fetchval("SELECT count(*) FROM goals.outbox")
    return tuple(goals), outbox


def raw(content: dict[str, Any]) -> bytes:
    """JSON as an attacker writes it: Python's encoder spells non-finite floats as the bare tokens NaN/Infinity."""
    return json.dumps({"content": content}, allow_nan=True).encode()


def threshold_milestone(threshold: Any) -> dict[str, Any]:
    return {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway", "threshold": threshold}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"milestones": [threshold_milestone(float("nan"))]}, "body.content.milestones.0.threshold"),
        ({"milestones": [threshold_milestone(float("inf"))]}, "body.content.milestones.0.threshold"),
        ({"milestones": [threshold_milestone(float("-inf"))]}, "body.content.milestones.0.threshold"),
        ({"baseline": float("nan")}, "body.content.baseline"),
        ({"measure": {"kind": "goal_rating", "minimum": float("-inf"), "maximum": 10}}, "body.content.measure.minimum"),
    ],
)
async def test_a_goal_with_a_non_finite_number_is_refused_and_nothing_is_committed(
    api: Api, admin_db: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    before = await committed(admin_db, c.client.tenant)
    r = await api.as_(
        c.client,
        "POST",
        f"/episodes/{episode}/goals",
        content=raw(goal_content(**change)),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert await committed(admin_db, c.client.tenant) == before
    for who in (c.client, c.therapist):  # the episode stays readable for everyone in it
        assert (await api.as_(who, "GET", f"/episodes/{episode}/goals")).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"statement": "Take the bus\u0000 on my own"}, "body.content.statement"),
        ({"why_it_matters": "So I can\u0000 see friends"}, "body.content.why_it_matters"),
        (
            {"milestones": [{**threshold_milestone(5), "description": "Half\u0000way"}]},
            "body.content.milestones.0.description",
        ),
        ({"statement": "Escape \u001b[31m sequences"}, "body.content.statement"),
        ({"confidence": "6"}, "body.content.confidence"),
        ({"confidence": True}, "body.content.confidence"),
        ({"baseline": "2"}, "body.content.baseline"),
        ({"review_interval_days": 14.0}, "body.content.review_interval_days"),
        ({"due_date": "0001-01-01"}, "body.content.due_date"),
        ({"due_date": "9999-12-31"}, "body.content.due_date"),
        ({"measure": {"kind": "goal_rating", "minimum": 10, "maximum": 0}}, "body.content.measure"),
        ({"measure": {"kind": "goal_rating", "minimum": 5, "maximum": 5}}, "body.content.measure"),
    ],
)
async def test_control_characters_coerced_numbers_far_dates_and_upside_down_scales_are_refused(
    api: Api, admin_db: asyncpg.Pool, change: dict[str, Any], field: str
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    before = await committed(admin_db, c.client.tenant)
    r = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json={"content": goal_content(**change)})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert field in [e["field"] for e in r.json()["errors"]]
    assert "\u0000" not in r.text and "\\u0000" not in r.text  # the submitted text is never echoed back
    assert await committed(admin_db, c.client.tenant) == before


async def test_two_milestones_with_one_id_are_refused(api: Api, admin_db: asyncpg.Pool) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    twin = threshold_milestone(5)
    before = await committed(admin_db, c.client.tenant)
    r = await api.as_(
        c.client,
        "POST",
        f"/episodes/{episode}/goals",
        json={"content": goal_content(milestones=[twin, {**twin, "threshold": 7}])},
    )
    assert r.status_code == 422
    assert "body.content.milestones" in [e["field"] for e in r.json()["errors"]]
    assert await committed(admin_db, c.client.tenant) == before


async def test_multi_line_free_text_keeps_its_line_breaks_and_tabs(api: Api) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    goal = await api.draft(c, episode, why_it_matters="So I can see my friends\n\tand keep up with my course")
    assert goal["pending_version"]["content"]["why_it_matters"].endswith("friends\n\tand keep up with my course")


async def test_a_change_whose_answer_cannot_be_encoded_is_rolled_back_not_committed(
    api: Api, admin_db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever slips past validation and breaks the answer must not be committed behind the 500: the answer is
    encoded inside the transaction. (A value JSON cannot hold stands in for any such failure.)"""
    from accord.goals.entrypoints import api as routes
    from accord.goals.handlers.commands import GoalState

    c = cast()
    episode = await api.episode_with_family(c)
    before = await committed(admin_db, c.client.tenant)

    def broken(state: GoalState) -> tuple[dict[str, object], dict[str, str]]:
        return {"goal_id": str(state.goal.goal_id), "x": float("nan")}, {}

    monkeypatch.setattr(routes, "_goal_for", lambda res, me: broken)
    r = await api.as_(c.client, "POST", f"/episodes/{episode}/goals", json={"content": goal_content()})
    assert r.status_code == 500  # the shared edge answers any escaped error as a problem
    assert r.headers["content-type"] == "application/problem+json"
    assert await committed(admin_db, c.client.tenant) == before
