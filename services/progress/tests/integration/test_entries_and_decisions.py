"""Against real Kafka and PostgreSQL: goals become recordable from the goals service's events, and each decision is
published once however entries arrive."""

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from progress_world import (
    Api,
    CareTeam,
    Worker,
    announce,
    entry_body,
    plans_made,
    recordable,
    statements_sent,
    thousands_of_goals,
)

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import TokenFactory, eventually, opened, outbox_events, read_topic, service_keys
from accord.progress.bootstrap import create_api
from accord.shared.metrics import WRITES_TAKEN_AGAIN

pytestmark = pytest.mark.integration


async def progress_events(infra: Infra, client: UUID, event_type: str, at_least: int) -> list[dict[str, Any]]:
    """The client's events of `event_type` on the progress topic, opened with the progress service's keys (the
    topic itself holds them sealed under their episode's key)."""
    db = await asyncpg.connect(infra.admin_url.rsplit("/", 1)[0] + "/accord")
    try:
        keys = await service_keys(db, "progress")
    finally:
        await db.close()

    def mine(r: Any) -> bool:
        e = json.loads(r.value)
        return bool(e["event_type"] == event_type and e["partition_key"] == str(client))

    records = await read_topic(infra.bootstrap_servers, "accord.progress.v1", lambda f: len(f) >= at_least, keep=mine)
    return [json.loads(opened(r, keys).to_bytes()) for r in records]


async def test_an_agreed_goal_becomes_recordable_and_before_that_the_error_is_retryable(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    goal = team.goal()
    early = await api.entry(goal.goal_id, 3)
    assert early.status_code == 409 and early.json()["retryable"] is True and early.headers["retry-after"]
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    r = await api.entry(goal.goal_id, 3)
    assert r.status_code == 201, r.text
    assert r.json()["goal_version"] == 1 and r.json()["recorded_by_role"] == "client"


async def test_the_entry_crossing_a_milestone_publishes_one_milestone_reached_despite_resends_and_disorder(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    goal = team.goal(thresholds=(5, 7))
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    # Recorded offline, sent in the wrong order, and the whole batch sent twice.
    batch = {
        "entries": [
            entry_body(6, days_ago=1, goal_id=goal.goal_id),
            entry_body(3, days_ago=3, goal_id=goal.goal_id),
            entry_body(4, days_ago=2, goal_id=goal.goal_id),
        ]
    }
    first = await api.as_(team.client, "POST", "/progress/entries/batch", json=batch)
    again = await api.as_(team.client, "POST", "/progress/entries/batch", json=batch)
    assert [r["status"] for r in first.json()["results"]] == ["created"] * 3
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["entry"] for r in again.json()["results"]] == [
        {**r["entry"], "duplicate": True} for r in first.json()["results"]
    ]
    reached = await progress_events(infra, team.client, "MilestoneReached", 1)
    await asyncio.sleep(0.5)
    reached = await progress_events(infra, team.client, "MilestoneReached", 1)
    assert len({e["event_id"] for e in reached}) == 1
    [milestone] = reached
    assert milestone["payload"]["milestone_id"] == str(goal.milestones[0].milestone_id)
    assert milestone["payload"]["entry_id"] == batch["entries"][0]["entry_id"]  # the 6, the first to cross 5
    progress = (await api.as_(team.therapist, "GET", f"/progress/goals/{goal.goal_id}")).json()
    assert (progress["latest"], progress["change"], progress["percent_to_target"]) == (6, 4, 66.7)
    assert [v["value"] for v in progress["series"]] == [3, 4, 6]
    assert progress["milestones"][0]["reached_at"] is not None and progress["milestones"][1]["reached_at"] is None
    assert progress["achievement_status"] == "improving"
    stored = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE goal_id = $1", goal.goal_id)
    assert stored == 3


async def test_decisions_stay_single_when_the_worker_is_restarted_mid_stream(
    api: Api, team: CareTeam, infra: Infra, worker: Worker
) -> None:
    goal = team.goal(thresholds=(4, 5, 6, 7))
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    values = [3, 4, 2, 5, 6, 3, 7, 8, 8]
    for i, value in enumerate(values):
        if i in (2, 6):
            await worker.halt()  # the relay stops between entries; its successor carries on from the outbox
            worker.start()
        r = await api.entry(goal.goal_id, value, days_ago=len(values) - i)
        assert r.status_code == 201, r.text
    reached = await progress_events(infra, team.client, "MilestoneReached", 4)
    target = await progress_events(infra, team.client, "GoalTargetReached", 1)
    assert Counter(e["payload"]["milestone_id"] for e in {e["event_id"]: e for e in reached}.values()) == Counter(
        {str(m.milestone_id): 1 for m in goal.milestones}
    )
    assert len({e["event_id"] for e in target}) == 1
    statuses = await progress_events(infra, team.client, "AchievementStatusChanged", 1)
    assert statuses[-1]["payload"]["status"] == "sustaining"
    # Each change is announced once and follows on from the one before (the goal's status is stored with it).
    changes = [e["payload"] for e in {e["event_id"]: e for e in statuses}.values()]
    assert changes[0]["previous"] is None
    assert all(b["previous"] == a["status"] != b["status"] for a, b in itertools.pairwise(changes))


async def test_phq9_with_item_9_above_zero_raises_a_safety_signal(api: Api, team: CareTeam, infra: Infra) -> None:
    await announce(infra.bootstrap_servers, team.tenant, *team.opened())

    async def submitted() -> bool:
        r = await api.as_(
            team.client,
            "POST",
            "/progress/questionnaires",
            json={
                "response_id": str(response_id),
                "instrument": "PHQ-9",
                "answers": [0, 0, 1, 0, 0, 0, 0, 0, 1],
                "occurred_at": "2026-11-01T10:00:00+00:00",
            },
        )
        return r.status_code == 201

    response_id = uuid4()
    await eventually(submitted)
    [signal] = await progress_events(infra, team.client, "SafetySignalRaised", 1)
    assert signal["payload"]["source_id"] == str(response_id) and signal["payload"]["instrument"] == "PHQ-9"
    [completed] = await progress_events(infra, team.client, "QuestionnaireCompleted", 1)
    assert (completed["payload"]["total"], completed["payload"]["severity"]) == (2, "minimal")
    assert "answers" not in completed["payload"]


async def test_the_latest_goal_version_wins_in_the_local_view(api: Api, team: CareTeam, infra: Infra) -> None:
    v1 = team.goal(thresholds=(5,))
    v2 = team.goal(thresholds=(4,), version=2, goal_id=v1.goal_id)
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), v1, v2, v1)  # v1 redelivered late
    await recordable(api, v1.goal_id)

    async def at_version_2() -> bool:
        r = await api.as_(team.client, "GET", f"/progress/goals/{v1.goal_id}")
        return bool(r.json()["goal_version"] == 2)

    await eventually(at_version_2)
    await asyncio.sleep(0.5)
    assert (await api.as_(team.client, "GET", f"/progress/goals/{v1.goal_id}")).json()["goal_version"] == 2


def test_recording_an_entry_solves_no_sub_dependencies_on_its_hot_path() -> None:
    """Authentication and resources are called directly by the endpoint (see its comment): a sub-dependency
    added back would bring FastAPI's per-request solving cost back with it."""
    from fastapi.routing import APIRoute

    from accord.progress.entrypoints.api import IDEMPOTENCY_KEY_MAX, router

    path = "/progress/goals/{goal_id}/entries"
    route = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path and "POST" in r.methods)
    assert route.dependant.dependencies == []
    assert [p.alias for p in route.dependant.header_params] == ["idempotency-key"]
    # The hot write (entrypoints/hot_write.py) sends a longer key the long way, for the route's own 422.
    limits = [getattr(m, "max_length", None) for m in route.dependant.header_params[0].field_info.metadata]
    assert limits == [IDEMPOTENCY_KEY_MAX]


async def test_an_entry_without_a_good_token_is_refused_and_a_retried_key_replays_only_the_same_body(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    url = f"/progress/goals/{goal.goal_id}/entries"
    body = entry_body(4)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        refused = await api.http.post(url, json=body, headers=headers)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    key = {"Idempotency-Key": f"k-{uuid4()}"}
    first = await api.as_(team.client, "POST", url, json=body, headers=key)
    again = await api.as_(team.client, "POST", url, json=body, headers=key)
    other = await api.as_(team.client, "POST", url, json=entry_body(5), headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    rows = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE goal_id = $1", goal.goal_id)
    assert rows == 1
    audited = await admin_db.fetchval(
        "SELECT count(*) FROM progress.audit_log WHERE action = 'record entry' AND resource_id = $1",
        str(goal.goal_id),
    )
    assert audited == 1


def _hot_writes_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the hot write answered itself (rather than handing them the long way), in order."""
    from accord.progress.entrypoints.hot_write import HotEntryWrite

    taken: list[str] = []
    answer = HotEntryWrite.answer

    async def counted(request: Any, goal_id: Any, body: Any, key: Any) -> Any:
        taken.append(request.url.path)
        return await answer(request, goal_id, body, key)

    monkeypatch.setattr(HotEntryWrite, "answer", staticmethod(counted))
    return taken


async def test_the_hot_write_answers_as_the_route_does_and_stores_and_audits_each_write_once(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canonical goal id goes through the hot path (entrypoints/hot_write.py); the same id without its hyphens is
    routed the long way by FastAPI. Both must answer alike, store and audit alike, and measure under one label."""
    from prometheus_client import REGISTRY

    from accord.progress.entrypoints.hot_write import ROUTE

    taken = _hot_writes_taken(monkeypatch)
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    hot, long_way = f"/progress/goals/{goal.goal_id}/entries", f"/progress/goals/{goal.goal_id.hex}/entries"
    labels = {"service": "progress", "method": "POST", "route": ROUTE, "status": "201"}

    def created() -> float:
        return REGISTRY.get_sample_value("accord_http_request_duration_seconds_count", labels) or 0

    async def counts() -> tuple[int, int, int]:
        return (
            await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE goal_id = $1", goal.goal_id),
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.audit_log WHERE action = 'record entry' AND resource_id = $1 AND "
                "allowed",
                str(goal.goal_id),
            ),
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.audit_log WHERE actor_id = $1 AND NOT allowed", team.outsider
            ),
        )

    async def both(person: UUID | None, body: Any, headers: dict[str, str], keyed: bool = False) -> list[Any]:
        """The request sent to each form of the path (each with its own entry id, and key: a key is bound to its
        path), and its answers' status, content type and body (an entry's or a problem's own id left out)."""
        answers = []
        for url, key in ((hot, "k-hot"), (long_way, "k-long")):
            sent = {**headers, "Idempotency-Key": f"{key}-{goal.goal_id}"} if keyed else headers
            if isinstance(body, dict) and url == long_way:  # an entry id of its own, the same on each resend
                body = {**body, "entry_id": str(UUID(int=UUID(body["entry_id"]).int ^ 1))}
            kind = {"json": body} if not isinstance(body, bytes) else {"content": body}
            r = await (
                api.as_(person, "POST", url, headers=sent, **kind)
                if person
                else api.http.post(url, headers=sent, **kind)
            )
            content = r.json()
            content.pop("instance" if r.status_code >= 400 else "entry_id")
            answers.append((r.status_code, r.headers["content-type"], content))
        assert answers[0] == answers[1], answers
        return list(answers[0])

    before, created_before = await counts(), created()
    first = entry_body(4)
    new = await both(team.client, first, {})
    assert new[0] == 201 and new[2]["duplicate"] is False and new[2]["value"] == 4
    again = await both(team.client, first, {})  # the same entry id: each form's own entry, sent again
    assert again[0] == 201 and again[2] == {**new[2], "duplicate": True}
    keyed = entry_body(5)
    stored = await both(team.client, keyed, {}, keyed=True)
    assert stored[0] == 201 and await both(team.client, keyed, {}, keyed=True) == stored  # replayed, no duplicate
    reused = await both(team.client, entry_body(6), {}, keyed=True)
    assert reused[0] == 422 and reused[2]["field"] == "Idempotency-Key"
    outsider = await both(team.outsider, entry_body(7), {})
    # Told no more than of a goal not known yet (test_refusals.py), and the refusal audited.
    assert outsider[0] == 409 and outsider[1] == "application/problem+json" and outsider[2]["retryable"]
    assert (await both(None, entry_body(7), {"Authorization": "Bearer not-a-token"}))[0] == 401
    assert taken == [hot] * 7  # one of each pair: the hex form went the long way

    invalid = await both(team.client, {**entry_body(8), "value": "8"}, {})  # a number must not be a string
    assert invalid[0] == 422 and [e["field"] for e in invalid[2]["errors"]] == ["body.value"]
    assert (await both(team.client, b"{not json", {"Content-Type": "application/json"}))[0] == 422
    assert (await both(team.client, json.dumps(entry_body(8)).encode(), {"Content-Type": "text/plain"}))[0] == 422
    too_long = await both(team.client, entry_body(8), {"Idempotency-Key": "k" * 201})
    assert too_long[0] == 422 and [e["field"] for e in too_long[2]["errors"]] == ["header.idempotency-key"]
    assert taken == [hot] * 7  # none of these was taken: the long way worded each refusal

    async def streamed() -> AsyncIterator[bytes]:  # over the Edge's limit, announced by no Content-Length
        for _ in range(3):
            yield b" " * 400_000

    for url in (hot, long_way):
        big = await api.as_(team.client, "POST", url, content=streamed(), headers={"Content-Type": "application/json"})
        assert (big.status_code, big.headers["content-type"]) == (413, "application/problem+json")

    entries, audited, refused = await counts()
    # Per form: the new entry and the keyed one stored; those two and the resend audited; the outsider refused.
    assert (entries - before[0], audited - before[1], refused - before[2]) == (4, 6, 2)
    assert created() - created_before == 8  # the 201s of both forms, under the route's one label


async def test_the_hot_write_answers_503_as_the_long_way_does_while_the_database_is_not_yet_reached(
    service_env: dict[str, str], tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app whose lifespan has not run holds no resources: what an API still waiting for its database answers."""
    taken = _hot_writes_taken(monkeypatch)
    waiting = create_api()
    goal = uuid4()
    headers = tokens.bearer(uuid4(), ["client"], "tenant-waiting")
    transport = httpx.ASGITransport(app=waiting)
    async with httpx.AsyncClient(transport=transport, base_url="http://progress") as http:
        answers = [
            await http.post(f"/progress/goals/{form}/entries", json=entry_body(3), headers=headers)
            for form in (goal, goal.hex)
        ]
    quick, slow = ({**r.json(), "instance": None} for r in answers)
    assert [r.status_code for r in answers] == [503, 503] and quick == slow
    assert answers[0].headers["retry-after"] == answers[1].headers["retry-after"] == "5"
    assert taken == [f"/progress/goals/{goal}/entries"]  # the hot path's answer, the other the long way's


@pytest.mark.parametrize(
    ("idempotency_key", "round_trips"),
    [
        # The goal with its row version and its episode's key (to seal the events: accord.shared.episode_keys); any
        # entry already stored under the id, with the ledger; one statement for the entry, its decision, the goal's
        # revision, the outbox's and the audit's rows, written only if the goal's row is still the version read.
        pytest.param(None, 3, id="written_at_once"),
        # BEGIN; the key's lock and any answer stored under it; the goal locked; the entry and ledger; the entry, its
        # decision and the revision; the outbox's and audit's rows; the key's answer; COMMIT.
        pytest.param("key-1", 9, id="in_a_transaction_with_an_idempotency_key"),
    ],
)
async def test_recording_one_entry_with_a_decision_takes_its_round_trips_and_writes_its_events_in_order_and_audited(
    api: Api,
    team: CareTeam,
    infra: Infra,
    progress_app: FastAPI,
    admin_db: asyncpg.Pool,
    idempotency_key: str | None,
    round_trips: int,
) -> None:
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    url = f"/progress/goals/{goal.goal_id}/entries"
    async with statements_sent(progress_app) as sent:
        # The first use of a connection looks up its types once: a write each way before, on the connection the
        # next takes.
        warm_up = {"Idempotency-Key": "warm-up"}
        assert (await api.as_(team.client, "POST", url, json=entry_body(3, 1), headers=warm_up)).status_code == 201
        assert (await api.entry(goal.goal_id, 3, days_ago=1)).status_code == 201
        sent.clear()
        r = await api.as_(team.client, "POST", url, json=entry_body(6), headers=headers)  # crosses a milestone
    assert r.status_code == 201, r.text
    assert len(sent) == round_trips, sent
    published = await outbox_events(admin_db, "progress", str(team.client))  # opened with progress's own keys
    types = [e["event_type"] for e in published if r.json()["entry_id"] in json.dumps(e["payload"])]
    assert types[:2] == ["GoalRatingRecorded", "MilestoneReached"]  # in the order the handler produced them
    audited = await admin_db.fetch(
        "SELECT tenant_id, actor_id, actor_roles, resource_id, allowed FROM progress.audit_log "
        "WHERE client_id = $1 AND action = 'record entry'",
        team.client,
    )
    assert [tuple(a) for a in audited] == [(team.tenant, team.client, ["client"], str(goal.goal_id), True)] * 3


async def test_the_goal_read_of_entries_written_one_after_another_is_planned_once_not_for_every_entry(
    api: Api, team: CareTeam, infra: Infra, progress_app: FastAPI, admin_db: asyncpg.Pool
) -> None:
    """PostgreSQL keeps a prepared statement's generic plan only when it costs no more than the plans made for each
    call. A goal asked for as a one-element array is costed as ten goals in the generic plan, which once the goals
    are many costs more than a plan made for the one goal: every entry's goal read would be planned afresh, ~0.3 ms
    of the server's CPU each. Asked for by `=`, the generic plan is kept after PostgreSQL's first five custom ones."""
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    goal_read = "SELECT g.goal_id, % k.key, %"  # the write's goal read, with its episode's key
    async with thousands_of_goals(admin_db, goal.goal_id):
        generic_before, custom_before = await plans_made(progress_app, goal_read)
        for n in range(20):
            assert (await api.entry(goal.goal_id, n % 10, days_ago=1)).status_code == 201
        generic, custom = await plans_made(progress_app, goal_read)
    # One after another, the entries take the same pooled connection, which plans the statement five times at most.
    assert custom - custom_before <= 5 and generic - generic_before >= 15, (generic, custom)


@pytest.mark.parametrize(
    ("keys", "waiting_in"),
    [
        # Written at once: each reads without a lock and waits at its write, whose guard then finds the goal's row
        # changed by whichever wrote first; those go the transaction's way, and wait for the lock in turn.
        pytest.param(False, "WITH guard AS %", id="written_at_once"),
        # With Idempotency-Keys (one each): in a transaction, each waiting for the goal's lock.
        pytest.param(True, "SELECT g.goal_id, %", id="in_a_transaction"),
    ],
)
async def test_entries_waiting_for_their_goal_see_what_the_first_wrote_a_resend_and_a_decision(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool, keys: bool, waiting_in: str
) -> None:
    """Three requests wait for one goal: an entry, its resend and another entry crossing the same milestone.
    Whichever goes first writes what the others must see once it is their turn: the resend is answered as a
    duplicate (not refused) and the milestone is decided once. (Reading the stored entry and the ledger in the
    locking statement itself, whose snapshot is taken before the lock is granted, fails this test.) Written at once,
    the two that come after the first find the goal's row changed at their guard and go the transaction's way. The
    entries' and decisions' keys would keep the decision single here even without the guard; the next test is one
    that only the guard passes."""
    goal = team.goal(thresholds=(5, 7))
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    url, body = f"/progress/goals/{goal.goal_id}/entries", entry_body(6, days_ago=1)

    def key(n: int) -> dict[str, str]:
        return {"Idempotency-Key": f"key-{n}"} if keys else {}

    taken_again = WRITES_TAKEN_AGAIN.labels("progress", "changed")
    before = taken_again._value.get()

    async with admin_db.acquire() as holder, holder.transaction():
        await holder.execute("SELECT 1 FROM progress.goals WHERE goal_id = $1 FOR UPDATE", goal.goal_id)
        sent = [
            asyncio.create_task(api.as_(team.client, "POST", url, json=body, headers=key(1))),
            asyncio.create_task(api.as_(team.client, "POST", url, json=body, headers=key(2))),
            asyncio.create_task(api.as_(team.client, "POST", url, json=entry_body(6), headers=key(3))),
        ]

        async def all_waiting() -> bool:
            waiting = await admin_db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", waiting_in
            )
            return bool(waiting == 3)

        await eventually(all_waiting)
    first, resend, other = [await r for r in sent]
    assert first.status_code == resend.status_code == other.status_code == 201, [first.text, resend.text, other.text]
    assert sorted([first.json()["duplicate"], resend.json()["duplicate"]]) == [False, True]
    assert first.json()["entry_id"] == resend.json()["entry_id"] == body["entry_id"]
    decided = await admin_db.fetch("SELECT decision_key FROM progress.decisions WHERE goal_id = $1", goal.goal_id)
    assert [d["decision_key"] for d in decided] == [f"milestone:{goal.milestones[0].milestone_id}"]
    entries = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE goal_id = $1", goal.goal_id)
    assert entries == 2
    events = [e["event_type"] for e in await outbox_events(admin_db, "progress", str(team.client))]
    assert events.count("MilestoneReached") == 1
    assert taken_again._value.get() == before + (0 if keys else 2)


async def test_an_entry_whose_goal_is_closed_between_its_read_and_its_write_is_refused_and_nothing_is_written(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    """Written at once, the entry reads its goal active and waits at its write; the goal is closed meanwhile (as the
    worker applies the goals service's event). The write's guard finds the goal's row changed, writes nothing, and
    the transaction's way refuses the entry as it refuses one for a closed goal: 409, no entry, no event."""
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    await recordable(api, goal.goal_id)
    taken_again = WRITES_TAKEN_AGAIN.labels("progress", "changed")
    before = taken_again._value.get()
    async with admin_db.acquire() as holder:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM progress.goals WHERE goal_id = $1 FOR UPDATE", goal.goal_id)
            sent = asyncio.create_task(api.entry(goal.goal_id, 6))

            async def waiting_at_its_write() -> bool:
                waiting = await admin_db.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query LIKE 'WITH guard AS %'"
                )
                return bool(waiting == 1)

            await eventually(waiting_at_its_write)
            await holder.execute("UPDATE progress.goals SET status = 'closed' WHERE goal_id = $1", goal.goal_id)
        r = await sent
    assert r.status_code == 409, r.text
    assert "closed" in r.json()["detail"]
    assert taken_again._value.get() == before + 1  # what an operator sees of it
    entries = await admin_db.fetchval("SELECT count(*) FROM progress.entries WHERE goal_id = $1", goal.goal_id)
    assert entries == 0
    published = await outbox_events(admin_db, "progress", str(team.client))
    assert [e["event_type"] for e in published if e["event_type"] == "GoalRatingRecorded"] == []
