"""Entries that must not be recorded get the right 4xx, and nothing is stored or published; nobody reads what is
not theirs, and every refusal is audited."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from progress_world import Api, CareTeam, announce, entry_body, recordable

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually
from accord.shared.events.contracts import goals as ev

pytestmark = pytest.mark.integration


async def stored(admin_db: asyncpg.Pool, team: CareTeam) -> tuple[int, int]:
    entries = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE client_id = $1", team.client)
    outbox = await admin_db.fetchval("SELECT count(*) FROM progress.outbox WHERE message_key = $1", str(team.client))
    return entries, outbox


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (entry_body(11), 422, "value"),
        (entry_body(4.5), 422, "value"),  # a goal rating is a whole number
        ({**entry_body(4), "occurred_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}, 422, "occurred_at"),
        (entry_body(4, days_ago=400), 422, "occurred_at"),  # before the episode began
        (entry_body(4, kind="milestone_check"), 422, "milestone_id"),
        ({**entry_body(4), "occurred_at": "2026-11-01T10:00:00"}, 422, "body.occurred_at"),  # no time zone
        ({**entry_body(4), "kind": "vibes"}, 422, "body.kind"),
    ],
)
async def test_bad_entries_are_refused_naming_the_field_and_change_nothing(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, body: dict[str, Any], status: int, field: str
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    before = await stored(admin_db, team)
    r = await api.as_(team.client, "POST", f"/progress/goals/{goal.goal_id}/entries", json=body)
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert field == problem.get("field") or field in [e["field"] for e in problem.get("errors", [])]
    assert await stored(admin_db, team) == before


@pytest.mark.parametrize("ending", ["paused", "closed"])
async def test_paused_or_closed_goals_take_no_entries(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, ending: str
) -> None:
    goal = team.goal()
    stop = (
        ev.GoalPaused(client_id=team.client, goal_id=goal.goal_id, paused_by=team.client)
        if ending == "paused"
        else ev.GoalClosed(
            client_id=team.client, goal_id=goal.goal_id, outcome=ev.GoalOutcome.ACHIEVED, closed_at=datetime.now(UTC)
        )
    )
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal, stop)

    async def ended() -> bool:
        r = await api.as_(team.client, "GET", f"/progress/goals/{goal.goal_id}")
        return r.status_code == 200 and r.json()["status"] == ending

    await eventually(ended)
    before = await stored(admin_db, team)
    r = await api.entry(goal.goal_id, 5)
    assert r.status_code == 409 and ending in r.json()["detail"] and "retryable" not in r.json()
    assert await stored(admin_db, team) == before


async def test_outsiders_and_family_on_private_goals_learn_nothing_and_are_audited(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    private, shared = team.goal(), team.goal(shared=True)
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), private, shared)
    await recordable(api, shared.goal_id)
    unknown = await api.entry(uuid4(), 5, by=team.outsider)
    for who, goal in ((team.outsider, private), (team.mum, private)):
        r = await api.entry(goal.goal_id, 5, by=who)
        assert (r.status_code, r.json()["detail"]) == (unknown.status_code, unknown.json()["detail"])
        read = await api.as_(who, "GET", f"/progress/goals/{goal.goal_id}")
        assert read.status_code == 409
        denied = await admin_db.fetchval(
            "SELECT count(*) FROM progress.audit_log WHERE actor_id = $1 AND NOT allowed AND resource_id = $2",
            who,
            str(goal.goal_id),
        )
        assert denied == 2
    mum = await api.entry(shared.goal_id, 5, by=team.mum)
    assert mum.status_code == 201 and mum.json()["recorded_by_role"] == "family"
    assert (await api.as_(team.mum, "GET", f"/progress/clients/{team.client}/checkins")).status_code == 404
    assert (await api.as_(team.outsider, "GET", f"/progress/clients/{team.client}/questionnaires")).status_code == 404


async def test_journal_entries_stay_private_until_the_client_shares_them(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    await announce(infra.bootstrap_servers, team.tenant, *team.opened())
    body = {"mood": 3, "text": "rough week at school", "occurred_at": datetime.now(UTC).isoformat()}

    async def checked_in() -> bool:
        return (
            await api.as_(team.client, "POST", "/progress/checkins", json=body | {"checkin_id": str(cid)})
        ).status_code == 201

    cid = uuid4()
    await eventually(checked_in)
    seen_by_therapist = await api.as_(team.therapist, "GET", f"/progress/clients/{team.client}/checkins")
    assert seen_by_therapist.json() == []
    await api.as_(team.client, "PUT", f"/progress/checkins/{cid}/sharing", json={"shared": True})
    seen_by_therapist = await api.as_(team.therapist, "GET", f"/progress/clients/{team.client}/checkins")
    assert [c["text"] for c in seen_by_therapist.json()] == ["rough week at school"]
    notes = await api.as_(team.client, "GET", f"/progress/clients/{team.client}/checkins")
    assert len(notes.json()) == 1


async def test_a_mixed_batch_answers_each_entry_on_its_own_and_audits_the_hidden_goal_in_the_same_request(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    """The batch is one transaction, so refusals inside it must neither undo the good entries nor go unaudited."""
    mine, private = team.goal(thresholds=(5,)), team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), mine, private)
    await recordable(api, mine.goal_id)
    good = entry_body(6, days_ago=1, goal_id=mine.goal_id)
    entries = [
        good,
        entry_body(11, goal_id=mine.goal_id),  # off the scale
        {**good, "value": 3},  # the same entry id again, another value: the first stands
        entry_body(4, goal_id=uuid4()),  # unknown here
        entry_body(4, days_ago=2, goal_id=mine.goal_id),
    ]
    before = await stored(admin_db, team)
    r = await api.as_(team.client, "POST", "/progress/entries/batch", json={"entries": entries})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "rejected", "duplicate", "rejected", "created"]
    assert results[1]["problem"]["field"] == "value" and results[3]["problem"]["retryable"] is True
    assert results[2]["entry"]["value"] == 6
    entries_after, outbox_after = await stored(admin_db, team)
    assert entries_after == before[0] + 2
    assert outbox_after > before[1]  # two entries recorded, the milestone reached: all through the outbox

    # Family on a private goal, inside a batch beside a goal they may record on: refused and audited.
    shared = team.goal(shared=True)
    await announce(infra.bootstrap_servers, team.tenant, shared)
    await recordable(api, shared.goal_id)
    mixed = [entry_body(5, goal_id=shared.goal_id), entry_body(5, goal_id=private.goal_id)]
    r = await api.as_(team.mum, "POST", "/progress/entries/batch", json={"entries": mixed})
    assert [x["status"] for x in r.json()["results"]] == ["created", "rejected"]
    audited = await admin_db.fetch(
        "SELECT resource_id, allowed FROM progress.audit_log WHERE actor_id = $1 AND action = 'record entry'",
        team.mum,
    )
    assert {(a["resource_id"], a["allowed"]) for a in audited} == {
        (str(shared.goal_id), True),
        (str(private.goal_id), False),
    }


async def test_one_entry_id_sent_at_once_for_two_goals_is_kept_once_and_the_other_is_a_conflict(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    """The two requests lock different goals, so both can pass the "id already used?" check before either commits;
    the loser must get a 409, not a 500, and keep nothing."""
    first, second = team.goal(), team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), first, second)
    await recordable(api, first.goal_id)
    await recordable(api, second.goal_id)
    for _ in range(5):
        body = entry_body(4)
        answers = await asyncio.gather(
            *(api.as_(team.client, "POST", f"/progress/goals/{g.goal_id}/entries", json=body) for g in (first, second))
        )
        assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
        kept = await admin_db.fetchval(
            "SELECT count(*) FROM progress.entries WHERE entry_id = $1", UUID(body["entry_id"])
        )
        assert kept == 1
