"""Against real PostgreSQL and Kafka: agreement publishes exactly one GoalAgreed, with the right payload."""

import asyncio
import json
from typing import Any

import asyncpg
import pytest
from goals_api import Api, cast

from accord.devtools import testing
from accord.devtools.infra.stack import Infra
from accord.devtools.testing import opened, read_topic, service_keys
from accord.shared.events import Envelope
from accord.shared.events.sealing import KeyNotHere
from accord.shared.kafka import new_producer
from accord.shared.outbox import OutboxRelay

pytestmark = pytest.mark.integration


async def outbox_events(admin_db: asyncpg.Pool, goal_id: str, event_type: str) -> list[dict[str, Any]]:
    """The goal's events of `event_type` in the goals outbox, opened with the goals service's keys."""
    found = await testing.outbox_events(admin_db, "goals")
    return [e for e in found if e["event_type"] == event_type and e["payload"].get("goal_id") == goal_id]


async def relay_goals_outbox(infra: Infra, admin_db: asyncpg.Pool) -> None:
    producer = new_producer(infra.bootstrap_servers, "test-goals-relay")
    await producer.start()
    try:
        relay = OutboxRelay(service="goals", schema="goals", pool=admin_db, producer=producer)
        while await relay.relay_once():
            pass
    finally:
        await producer.stop()


async def published(infra: Infra, goal_id: str, event_type: str, at_least: int, db: asyncpg.Pool) -> list[Envelope]:
    """The goal's events of `event_type` on the topic, opened with the goals service's episode keys."""
    keys = await service_keys(db, "goals")

    def mine(record: Any) -> bool:
        if json.loads(record.value)["event_type"] != event_type:
            return False
        try:
            return bool(opened(record, keys).payload.get("goal_id") == goal_id)
        except KeyNotHere:
            # Another suite's event on the shared topic (the progress tests announce goals of episodes the goals
            # service never opened): not this goal's, whose episode's key the goals service holds.
            return False

    records = await read_topic(infra.bootstrap_servers, "accord.goals.v1", lambda f: len(f) >= at_least, keep=mine)
    return [opened(r, keys) for r in records]


async def test_agreeing_a_goal_publishes_exactly_one_goal_agreed_with_the_agreed_terms(
    api: Api, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    goal = await api.agreed_goal(c, episode)
    assert goal["status"] == "active" and goal["fhir_lifecycle_status"] == "active"
    await relay_goals_outbox(infra, admin_db)
    [agreed] = await published(infra, goal["goal_id"], "GoalAgreed", 1, admin_db)
    await asyncio.sleep(0.3)
    assert len(await published(infra, goal["goal_id"], "GoalAgreed", 1, admin_db)) == 1
    # On the topic itself the agreed terms are sealed under the episode's key: none of them in the clear.
    [raw] = [
        r.value
        for r in await read_topic(
            infra.bootstrap_servers,
            "accord.goals.v1",
            lambda f: len(f) >= 1,
            keep=lambda r: json.loads(r.value)["event_id"] == str(agreed.event_id),
        )
    ]
    assert json.loads(raw)["payload"] == {} and json.loads(raw)["episode_id"] == agreed.payload["episode_id"]
    assert b"milestones" not in raw and b"review_interval_days" not in raw and goal["goal_id"].encode() not in raw
    p = agreed.payload
    assert agreed.tenant_id == c.client.tenant and agreed.partition_key == str(c.client.id)
    assert (p["version"], p["baseline"], p["target"], p["direction"]) == (1, 2.0, 8.0, "increase")
    assert [(m["position"], m["threshold"]) for m in p["milestones"]] == [(1, 5.0), (2, 7.0)]
    assert {(x["person_id"], x["role"]) for x in p["parties"]} == {
        (str(c.client.id), "client"),
        (str(c.therapist.id), "therapist"),
    }
    assert p["visibility"] == "private" and p["review_interval_days"] == 14
    assert "bus" not in agreed.model_dump_json()  # the client's wording never leaves the goals service


async def test_two_final_agreements_at_the_same_moment_publish_one_goal_agreed(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    for _ in range(5):
        goal = await api.draft(c, episode)
        url = f"/goals/{goal['goal_id']}"
        assert (await api.as_(c.therapist, "POST", f"{url}/proposal", json={})).status_code == 200
        both = await asyncio.gather(
            *(api.as_(who, "POST", f"{url}/agreements", json={"decision": "agree"}) for who in (c.client, c.therapist))
        )
        assert [r.status_code for r in both] == [200, 200]
        assert len(await outbox_events(admin_db, goal["goal_id"], "GoalAgreed")) == 1
        assert len(await outbox_events(admin_db, goal["goal_id"], "GoalAgreementRecorded")) == 2
        close = await api.as_(c.client, "POST", f"{url}/closure", json={"outcome": "replaced", "reason": "next"})
        close = await api.as_(c.therapist, "POST", f"{url}/closure", json={"outcome": "replaced", "reason": "ok"})
        assert close.json()["status"] == "closed"  # keeps the episode under its active-goal limit


async def test_a_revision_agreed_later_publishes_a_new_version(api: Api, infra: Infra, admin_db: asyncpg.Pool) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    goal = await api.agreed_goal(c, episode)
    url = f"/goals/{goal['goal_id']}"
    content = goal["agreed_version"]["content"] | {"target": 6}
    r = await api.as_(
        c.client,
        "POST",
        f"{url}/revisions",
        json={"content": content, "reason": "smaller steps"},
        headers={"If-Match": f'"{goal["revision"]}"'},
    )
    assert r.status_code == 200, r.text
    revised = r.json()
    assert revised["agreed_version"]["number"] == 1 and revised["pending_version"]["number"] == 2
    assert [p["status"] for p in revised["pending_version"]["parties"]] == ["pending", "pending"]
    for who in (c.therapist, c.client):
        r = await api.as_(who, "POST", f"{url}/agreements", json={"decision": "agree"})
    assert r.json()["agreed_version"]["number"] == 2 and r.json()["pending_version"] is None
    await relay_goals_outbox(infra, admin_db)
    versions = await published(infra, goal["goal_id"], "GoalAgreed", 2, admin_db)
    assert [(e.payload["version"], e.payload["target"]) for e in versions] == [(1, 8.0), (2, 6.0)]
    history = await api.as_(c.client, "GET", f"{url}/history")
    actions = [h["action"] for h in history.json()["entries"]]
    assert actions[:2] == ["drafted", "proposed"] and "proposed revision" in actions
