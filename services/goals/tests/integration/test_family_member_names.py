"""A family member's name, as the lead therapist enters it, is what screens show instead of the person's id."""

from typing import Any

import pytest
from goals_api import Api, cast

pytestmark = pytest.mark.integration


async def test_a_family_member_added_with_a_name_is_listed_by_that_name_to_everyone_in_the_episode(
    goals_http: Any, tokens: Any
) -> None:
    api = Api(goals_http, tokens)
    c = cast()
    r = await api.as_(c.therapist, "POST", "/episodes", json={"client_id": str(c.client.id), "team_id": str(c.team)})
    episode = r.json()["episode_id"]
    r = await api.as_(
        c.therapist,
        "POST",
        f"/episodes/{episode}/participants",
        json={"person_id": str(c.mum.id), "relationship_code": "parent", "display_name": "  Jo Smith "},
    )
    assert r.status_code == 201, r.text
    for viewer in (c.therapist, c.client, c.mum):
        seen = (await api.as_(viewer, "GET", f"/episodes/{episode}")).json()
        names = {p["person_id"]: p["display_name"] for p in seen["participants"]}
        assert names[str(c.mum.id)] == "Jo Smith"
        assert names[str(c.client.id)] is None


async def test_a_family_member_name_with_a_control_character_is_refused_at_its_field(
    goals_http: Any, tokens: Any
) -> None:
    api = Api(goals_http, tokens)
    c = cast()
    r = await api.as_(c.therapist, "POST", "/episodes", json={"client_id": str(c.client.id), "team_id": str(c.team)})
    episode = r.json()["episode_id"]
    r = await api.as_(
        c.therapist,
        "POST",
        f"/episodes/{episode}/participants",
        json={"person_id": str(c.mum.id), "relationship_code": "parent", "display_name": "Jo\u0000"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["body.display_name"]
    episode_now = (await api.as_(c.therapist, "GET", f"/episodes/{episode}")).json()
    assert str(c.mum.id) not in {p["person_id"] for p in episode_now["participants"]}
