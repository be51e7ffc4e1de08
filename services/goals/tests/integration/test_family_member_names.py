"""A family member's name, as the lead therapist enters it, is what screens show instead of the person's id."""

from typing import Any

import httpx
import pytest
from goals_api import Api, Cast, cast

pytestmark = pytest.mark.integration


async def mum_added_as(goals_http: Any, tokens: Any, display_name: str) -> tuple[Api, Cast, str, httpx.Response]:
    """A new episode of a new cast, and the lead therapist's request adding the client's mum under `display_name`."""
    api, c = Api(goals_http, tokens), cast()
    r = await api.as_(c.therapist, "POST", "/episodes", json={"client_id": str(c.client.id), "team_id": str(c.team)})
    episode = r.json()["episode_id"]
    added = await api.as_(
        c.therapist,
        "POST",
        f"/episodes/{episode}/participants",
        json={"person_id": str(c.mum.id), "relationship_code": "parent", "display_name": display_name},
    )
    return api, c, episode, added


async def test_a_family_member_added_with_a_name_is_listed_by_that_name_to_everyone_in_the_episode(
    goals_http: Any, tokens: Any
) -> None:
    api, c, episode, r = await mum_added_as(goals_http, tokens, "  Jo Smith ")
    assert r.status_code == 201, r.text
    for viewer in (c.therapist, c.client, c.mum):
        seen = (await api.as_(viewer, "GET", f"/episodes/{episode}")).json()
        names = {p["person_id"]: p["display_name"] for p in seen["participants"]}
        assert names[str(c.mum.id)] == "Jo Smith"
        assert names[str(c.client.id)] is None


async def test_a_family_member_name_with_a_control_character_is_refused_at_its_field(
    goals_http: Any, tokens: Any
) -> None:
    api, c, episode, r = await mum_added_as(goals_http, tokens, "Jo\u0000")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["body.display_name"]
    episode_now = (await api.as_(c.therapist, "GET", f"/episodes/{episode}")).json()
    assert str(c.mum.id) not in {p["person_id"] for p in episode_now["participants"]}
