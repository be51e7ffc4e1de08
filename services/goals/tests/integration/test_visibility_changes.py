"""Every change of which family members may see a goal is recorded: who allowed it, whom, and when; the client and
their therapist can read the record, a family member and anyone outside the episode cannot."""

from typing import Any

import pytest
from goals_api import Api, Cast, cast

pytestmark = pytest.mark.integration


async def share(api: Api, c: Cast, goal: dict[str, Any], visibility: str, *people: Any) -> dict[str, Any]:
    r = await api.as_(
        c.client,
        "PUT",
        f"/goals/{goal['goal_id']}/visibility",
        json={"visibility": visibility, "shared_with": [str(p.id) for p in people]},
        headers={"If-Match": f'"{goal["revision"]}"'},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_each_change_of_who_may_see_a_goal_is_recorded_with_who_allowed_it_and_when(
    goals_http: Any, tokens: Any, admin_db: Any
) -> None:
    api, c = Api(goals_http, tokens), cast()
    episode = await api.episode_with_family(c)
    goal = await api.agreed_goal(c, episode)
    goal = await share(api, c, goal, "shared", c.mum)
    goal = await share(api, c, goal, "shared", c.mum, c.dad)
    goal = await share(api, c, goal, "shared", c.mum, c.dad)  # the same again: nothing changed, nothing recorded
    await share(api, c, goal, "private")

    r = await api.as_(c.therapist, "GET", f"/goals/{goal['goal_id']}/visibility-changes")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["visibility"], sorted(i["shared_with"])) for i in items] == [
        ("shared", [str(c.mum.id)]),
        ("shared", sorted([str(c.mum.id), str(c.dad.id)])),
        ("private", []),
    ]
    assert {i["changed_by"] for i in items} == {str(c.client.id)}
    assert [i["cause"] for i in items] == ["made shared", "made shared", "made private"]
    assert items[0]["changed_at"] <= items[1]["changed_at"] <= items[2]["changed_at"]
    mine = await api.as_(c.client, "GET", f"/goals/{goal['goal_id']}/visibility-changes")
    assert mine.json() == r.json()
    audited = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE actor_id = $1 AND action = 'read visibility changes' AND allowed",
        c.therapist.id,
    )
    assert audited == 1


async def test_a_goal_shared_with_a_family_member_named_on_it_is_recorded_as_shared_by_that_step(
    goals_http: Any, tokens: Any
) -> None:
    api, c = Api(goals_http, tokens), cast()
    episode = await api.episode_with_family(c)
    goal = await api.draft(c, episode, family_party_ids=[str(c.mum.id)])

    r = await api.as_(c.client, "GET", f"/goals/{goal['goal_id']}/visibility-changes")
    [item] = r.json()["items"]
    assert (item["visibility"], item["shared_with"], item["changed_by"]) == (
        "shared",
        [str(c.mum.id)],
        str(c.client.id),
    )


async def test_a_family_member_and_people_outside_the_episode_cannot_read_the_record(
    goals_http: Any, tokens: Any
) -> None:
    api, c = Api(goals_http, tokens), cast()
    episode = await api.episode_with_family(c)
    goal = await share(api, c, await api.agreed_goal(c, episode), "shared", c.mum)

    for outsider in (c.mum, c.dad, c.other_client, c.other_therapist, c.other_tenant_therapist):
        r = await api.as_(outsider, "GET", f"/goals/{goal['goal_id']}/visibility-changes")
        assert r.status_code == 404, (outsider, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
