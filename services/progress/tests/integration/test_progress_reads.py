"""Against real Kafka and PostgreSQL: a goal's progress answer is kept between reads, yet never outlives a change to
what it is built from, and an app holding the current answer gets 304."""

import asyncio
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from fastapi import FastAPI
from progress_world import Api, CareTeam, announce, plans_made, recordable, statements_sent, thousands_of_goals

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually
from accord.shared.events.contracts import goals as ev

pytestmark = pytest.mark.integration


async def test_each_read_shows_every_entry_and_milestone_recorded_before_it(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    goal = team.goal(thresholds=(5, 7))
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    url = f"/progress/goals/{goal.goal_id}"
    seen: list[float] = []
    for value in (3, 6, 4, 8):
        assert (await api.entry(goal.goal_id, value)).status_code == 201
        seen.append(value)
        for reader in (team.client, team.therapist, team.client):  # read again and again between entries
            answer = (await api.as_(reader, "GET", url)).json()
            assert [p["value"] for p in answer["series"]] == seen
            assert answer["latest"] == value
    answer = (await api.as_(team.client, "GET", url)).json()
    assert all(m["reached_at"] is not None for m in answer["milestones"])
    assert answer["target_reached_at"] is not None and answer["achievement_status"] == "achieved"


async def test_if_none_match_gets_304_until_an_entry_or_the_goals_status_changes_and_each_read_is_audited(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    await api.entry(goal.goal_id, 3)
    url = f"/progress/goals/{goal.goal_id}"

    async def reads_audited() -> int:
        return int(
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.audit_log WHERE actor_id = $1 AND action = 'read progress' AND allowed",
                team.client,
            )
        )

    first = await api.as_(team.client, "GET", url)
    etag, audited = first.headers["etag"], await reads_audited()
    unchanged = await api.as_(team.client, "GET", url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert (unchanged.status_code, unchanged.content, unchanged.headers["etag"]) == (304, b"", etag)
    assert await reads_audited() == audited + 1  # the 304 is a read of the client's data too

    await api.entry(goal.goal_id, 5)
    changed = await api.as_(team.client, "GET", url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert [p["value"] for p in changed.json()["series"]] == [3, 5]

    etag = changed.headers["etag"]
    await announce(
        infra.bootstrap_servers,
        team.tenant,
        ev.GoalPaused(client_id=team.client, goal_id=goal.goal_id, paused_by=team.client),
    )

    async def paused() -> bool:
        r = await api.as_(team.client, "GET", url, headers={"If-None-Match": etag})
        return r.status_code == 200 and r.json()["status"] == "paused" and r.headers["etag"] != etag

    await eventually(paused)
    # Someone outside the care team holding a (guessed or leaked) ETag learns nothing from it.
    outsider = await api.as_(team.outsider, "GET", url, headers={"If-None-Match": "*"})
    assert outsider.status_code in (404, 409) and "etag" not in outsider.headers


def test_the_progress_read_solves_no_sub_dependencies_on_its_hot_path() -> None:
    """Authentication and resources are called directly by the endpoint (see its comment): a sub-dependency
    added back would bring FastAPI's per-request solving cost back with it."""
    from fastapi.routing import APIRoute

    from accord.progress.entrypoints.api import router

    route = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == "/progress/goals/{goal_id}")
    assert route.dependant.dependencies == []
    assert [p.alias for p in route.dependant.header_params] == ["if-none-match"]


async def test_a_progress_read_without_a_bearer_token_or_with_a_bad_one_is_refused_and_not_answered(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    url = f"/progress/goals/{goal.goal_id}"
    assert (await api.as_(team.client, "GET", url)).status_code == 200
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic c2FtOnNhbQ=="}):
        refused = await api.http.get(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert "series" not in refused.text


async def test_the_hot_read_answers_as_the_route_does_refusals_and_304_included_and_audits_each_read(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canonical goal id goes through the hot path (entrypoints/hot_read.py); the same id without its hyphens is
    routed the long way by FastAPI. Both must answer alike and each read be audited."""
    from accord.progress.entrypoints.hot_read import HotProgressRead

    taken: list[str] = []
    answer = HotProgressRead.answer

    async def counted(request: Any, goal_id: Any, if_none_match: Any) -> Any:
        taken.append(request.url.path)
        return await answer(request, goal_id, if_none_match)

    monkeypatch.setattr(HotProgressRead, "answer", staticmethod(counted))
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    await api.entry(goal.goal_id, 3)
    hot, long_way = f"/progress/goals/{goal.goal_id}", f"/progress/goals/{goal.goal_id.hex}"

    async def audited(person: UUID, allowed: bool) -> int:
        return int(
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.audit_log WHERE actor_id = $1 AND action = 'read progress'"
                " AND allowed = $2",
                person,
                allowed,
            )
        )

    etag = (await api.as_(team.client, "GET", hot)).headers["etag"]
    reads = await audited(team.client, True)
    taken.clear()  # the reads above (waiting for the goal, the first answer) went the hot way too
    for person, headers in (
        (team.client, {}),
        (team.client, {"If-None-Match": etag}),
        (team.outsider, {}),
        (None, {"Authorization": "Bearer not-a-token"}),
    ):
        quick, slow = [
            await (api.as_(person, "GET", url, headers=headers) if person else api.http.get(url, headers=headers))
            for url in (hot, long_way)
        ]
        assert (quick.status_code, quick.headers.get("etag")) == (slow.status_code, slow.headers.get("etag"))
        assert quick.headers.get("content-type") == slow.headers.get("content-type")
        if quick.headers.get("content-type") == "application/problem+json":
            assert {**quick.json(), "instance": None} == {**slow.json(), "instance": None}
        else:
            assert quick.content == slow.content
    assert await audited(team.client, True) == reads + 4  # two reads and two 304s, each audited either way
    assert await audited(team.outsider, False) >= 2  # the outsider refused, and the refusal audited, both ways
    assert taken == [hot] * 4  # one of each pair: the hex form went the long way


async def test_reads_one_after_another_look_their_goal_up_on_a_plan_made_once_not_for_every_read(
    api: Api, team: CareTeam, infra: Infra, progress_app: FastAPI, admin_db: asyncpg.Pool
) -> None:
    """A read alone in flight is looked up by itself. As an array of one (the grouped statement's form), with
    thousands of goals in the database, its generic plan would cost more than one made for the read, and PostgreSQL
    would plan the lookup afresh for every read."""
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    lookups = ("SELECT g.goal_id, %g.progress_revision FROM goals g %", "SELECT a.asked, %")  # alone, or grouped
    async with thousands_of_goals(admin_db, goal.goal_id):
        generic_before, custom_before = await plans_made(progress_app, *lookups)
        for _ in range(20):
            assert (await api.as_(team.client, "GET", f"/progress/goals/{goal.goal_id}")).status_code == 200
        generic, custom = await plans_made(progress_app, *lookups)
    assert custom - custom_before <= 5 and generic - generic_before >= 15, (generic, custom)


async def test_reads_in_flight_together_share_one_lookup_yet_each_gets_only_what_its_own_role_allows(
    api: Api, team: CareTeam, infra: Infra, progress_app: FastAPI, admin_db: asyncpg.Pool
) -> None:
    goal = team.goal(shared=True)  # shared with mum, who is family
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    await api.entry(goal.goal_id, 3)
    url = f"/progress/goals/{goal.goal_id}"
    built = await api.as_(team.client, "GET", url)  # the answer is built and kept: the reads below are answered from it
    readers = [team.client, team.therapist, team.mum, team.outsider] * 8

    async def audited(allowed: bool) -> int:
        return int(
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.audit_log WHERE resource_id = $1 AND action = 'read progress' "
                "AND allowed = $2",
                str(goal.goal_id),
                allowed,
            )
        )

    allowed_before, refused_before = await audited(True), await audited(False)
    async with statements_sent(progress_app) as sent:
        answers = await asyncio.gather(*(api.as_(reader, "GET", url) for reader in readers))
    for reader, answer in zip(readers, answers, strict=True):
        if reader == team.outsider:
            assert answer.status_code in (404, 409) and "series" not in answer.text
        else:
            assert (answer.status_code, answer.content) == (200, built.content)
    grouped = [s for s in sent if "WITH ORDINALITY AS a(tenant_id, goal_id, person_id, asked)" in s]
    assert 1 <= len(grouped) < len(readers) // 4, sent  # 32 reads: a few lookups, not one each
    assert await audited(True) == allowed_before + 24 and await audited(False) == refused_before + 8

    # The lookup is made afresh for every read, never remembered: once mum has left the episode she is refused,
    # though the answer she was reading is still kept (nothing it is built from changed).
    await announce(
        infra.bootstrap_servers,
        team.tenant,
        ev.ParticipantLeft(client_id=team.client, episode_id=team.episode, person_id=team.mum),
    )

    async def refused() -> bool:
        return (await api.as_(team.mum, "GET", url)).status_code in (404, 409)

    await eventually(refused)
    assert (await api.as_(team.client, "GET", url)).content == built.content
