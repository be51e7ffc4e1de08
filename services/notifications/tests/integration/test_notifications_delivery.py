"""Events in, messages out: real Kafka and PostgreSQL, a real SMTP server, a real push endpoint."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from accord.devtools.testing import read_topic
from accord.notifications.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.goals import GoalPaused
from accord.shared.events.contracts.progress import SafetySignalRaised

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consumer")]


def marker(story: Any) -> Envelope:
    """A harmless event on the client's partition: once it is handled, everything published before it was too."""
    return story.wrap(GoalPaused(client_id=story.client, goal_id=uuid4(), paused_by=story.therapist))


async def deliveries_of(db: asyncpg.Pool, source: Envelope, recipient: UUID) -> dict[str, list[Any]]:
    rows = await db.fetch(
        "SELECT * FROM deliveries WHERE source_event_id = $1 AND recipient_id = $2", source.event_id, recipient
    )
    found: dict[str, list[Any]] = {}
    for row in rows:
        found.setdefault(row["channel"], []).append(row)
    return found


async def outcome_events(db: asyncpg.Pool, notification_ids: list[UUID]) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT payload FROM outbox WHERE topic = 'accord.notifications.v1'")
    events = [json.loads(bytes(r["payload"])) for r in rows]
    ids = {str(i) for i in notification_ids}
    # Other events share the topic (an export part stored, for one): only the outcomes of these notifications.
    return [e for e in events if e["payload"].get("notification_id") in ids]


async def test_a_milestone_gives_the_client_one_email_and_one_inbox_item_even_when_the_event_comes_twice(
    story: Any,
    person: Any,
    publish: Any,
    handled: Any,
    mailbox: Any,
    dispatcher_for: Any,
    db: asyncpg.Pool,
    settings: Settings,
) -> None:
    client = person(story.client, story.tenant)
    goal = uuid4()
    milestone = story.milestone(goal)
    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    await handled(*setup)
    email = await client.add_email()  # after the goal's agreement: the one e-mail to expect is the milestone's
    last = marker(story)
    await publish(milestone, milestone, last)  # the same event delivered twice
    await handled(milestone, last)

    dispatcher = await dispatcher_for(mailbox)
    await dispatcher.run_once()
    await dispatcher.run_once()

    received = mailbox.to(email)
    assert len(received) == 1
    sent = await deliveries_of(db, milestone, story.client)
    assert {channel: len(rows) for channel, rows in sent.items()} == {"in_app": 1, "email": 1}
    assert all(row["status"] == "sent" for rows in sent.values() for row in rows)
    assert received[0]["Message-ID"] == f"<{sent['email'][0]['id']}@accord.localhost>"
    assert f"https://app.accord.test/goals/{goal}" in received[0].get_content()
    inbox = [item for item in await client.inbox() if item["kind"] == "milestone_celebration"]
    assert len(inbox) == 1 and inbox[0]["link"] == f"https://app.accord.test/goals/{goal}"
    announced = await outcome_events(db, [row["id"] for rows in sent.values() for row in rows])
    assert sorted((e["event_type"], e["payload"]["channel"]) for e in announced) == [
        ("NotificationDelivered", "email"),
        ("NotificationDelivered", "in_app"),
    ]
    log = await db.fetch("SELECT status FROM delivery_log WHERE delivery_id = $1 ORDER BY id", sent["email"][0]["id"])
    assert [r["status"] for r in log] == ["queued", "sent"]
    ids = {e["payload"]["notification_id"] for e in announced}
    published = await read_topic(
        settings.kafka_bootstrap_servers,
        "accord.notifications.v1",
        until=lambda found: len(found) >= 2,
        keep=lambda r: json.loads(r.value or b"{}")["payload"].get("notification_id") in ids,
    )
    assert sorted(json.loads(r.value or b"")["event_type"] for r in published) == ["NotificationDelivered"] * 2


async def test_a_family_member_receives_nothing_about_a_private_goal(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    family = person(story.family, story.tenant, "family")
    email = await family.add_email()
    private, shared = uuid4(), uuid4()
    events = [
        *story.opened(),
        story.goal_agreed(private),
        story.goal_agreed(shared, shared=True),
        story.milestone(private),
        story.milestone(shared),
    ]
    await publish(*events)
    await handled(*events)
    await (await dispatcher_for(mailbox)).run_once()

    inbox = await family.inbox()
    assert sorted(item["kind"] for item in inbox) == ["goal_agreed", "milestone_celebration"]
    assert all(item["link"].endswith(f"/goals/{shared}") for item in inbox)
    received = mailbox.to(email)
    assert len(received) == 2
    assert not any(str(private) in m.get_content() for m in received)
    about_private = await db.fetchval(
        "SELECT count(*) FROM deliveries WHERE recipient_id = $1 AND link_path = $2", story.family, f"/goals/{private}"
    )
    assert about_private == 0


def quiet_window_around_now() -> dict[str, str]:
    local = datetime.now(ZoneInfo("Europe/London"))
    return {
        "start": (local - timedelta(hours=1)).strftime("%H:%M"),
        "end": (local + timedelta(hours=1)).strftime("%H:%M"),
    }


async def test_quiet_hours_defer_a_message_and_it_goes_out_when_they_end(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    await client.prefer(quiet_hours=quiet_window_around_now())
    goal = uuid4()
    milestone = story.milestone(goal)
    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    await handled(*setup)
    email = await client.add_email()
    await publish(milestone)
    await handled(milestone)
    dispatcher = await dispatcher_for(mailbox)

    await dispatcher.run_once()
    assert mailbox.to(email) == []
    [row] = (await deliveries_of(db, milestone, story.client))["email"]
    assert row["status"] == "pending" and row["attempts"] == 0
    assert dispatcher.clock.now + timedelta(minutes=55) < row["due_at"] <= dispatcher.clock.now + timedelta(hours=1)
    assert [i["kind"] for i in await client.inbox()].count("milestone_celebration") == 1  # the inbox makes no sound

    dispatcher.clock.advance(hours=1, minutes=1)
    await dispatcher.run_once()
    assert len(mailbox.to(email)) == 1
    log = await db.fetch("SELECT status, detail FROM delivery_log WHERE delivery_id = $1 ORDER BY id", row["id"])
    assert [(r["status"], r["detail"]) for r in log] == [("queued", None), ("deferred", "quiet hours"), ("sent", None)]


async def test_a_safety_signal_reaches_the_therapist_at_once_through_every_channel_past_quiet_hours(
    story: Any,
    person: Any,
    publish: Any,
    handled: Any,
    mailbox: Any,
    push_service: Any,
    dispatcher_for: Any,
) -> None:
    therapist = person(story.therapist, story.tenant, "therapist")
    email = await therapist.add_email()
    subscription = push_service.new_subscription()
    await therapist.subscribe(subscription, push_service)
    # Everyday messages: in-app only, in a digest, and not now.
    await therapist.prefer(channels=[], clinician_delivery="digest", quiet_hours=quiet_window_around_now())
    signal = story.wrap(
        SafetySignalRaised(client_id=story.client, signal_id=uuid4(), source_id=uuid4(), instrument=Instrument.PHQ9,
                           raised_at=datetime.now(UTC)),
        producer="progress",
    )  # fmt: skip
    events = [*story.opened(), signal]
    await publish(*events)
    await handled(*events)
    await (await dispatcher_for(mailbox)).run_once()

    [mail] = mailbox.to(email)
    assert mail["Subject"] == "Please open Accord now"
    [(headers, body)] = push_service.to(subscription)
    assert headers["urgency"] == "high" and headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    payload = json.loads(subscription.decrypt(body))
    assert payload["title"] == "Please open Accord now"
    assert payload["url"] == "https://app.accord.test/inbox"  # the app has no page per client yet
    assert "PHQ" not in json.dumps(payload) and "PHQ" not in mail.get_content()
    assert [i["kind"] for i in await therapist.inbox()] == ["safety_signal"]


async def test_smtp_down_for_a_while_messages_are_retried_and_delivered_once_when_it_returns(
    story: Any, person: Any, publish: Any, handled: Any, mailbox_down: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    goals = [uuid4() for _ in range(3)]
    milestones = [story.milestone(g) for g in goals]
    setup = [*story.opened(), *(story.goal_agreed(g) for g in goals)]
    await publish(*setup)
    await handled(*setup)
    email = await client.add_email()
    await publish(*milestones)
    await handled(*milestones)
    dispatcher = await dispatcher_for(mailbox_down, retry_backoff_seconds=60)

    await dispatcher.run_once()  # SMTP is down: every attempt fails and is rescheduled
    email_rows = [(await deliveries_of(db, m, story.client))["email"][0]["id"] for m in milestones]
    rows = await db.fetch("SELECT * FROM deliveries WHERE id = ANY($1::uuid[])", email_rows)
    assert {(r["status"], r["attempts"]) for r in rows} == {("pending", 1)}
    assert all(r["last_error"].startswith("smtp unavailable") for r in rows)
    await dispatcher.run_once()  # not due yet: backing off
    assert await db.fetchval("SELECT sum(attempts) FROM deliveries WHERE id = ANY($1::uuid[])", email_rows) == 3

    mailbox_down.start()
    dispatcher.clock.advance(seconds=61)
    await dispatcher.run_once()
    await dispatcher.run_once()

    received = mailbox_down.to(email)
    assert len(received) == 3
    assert len({m["Message-ID"] for m in received}) == 3
    rows = await db.fetch("SELECT * FROM deliveries WHERE id = ANY($1::uuid[])", email_rows)
    assert {(r["status"], r["attempts"]) for r in rows} == {("sent", 2)}


async def test_a_push_subscription_that_is_gone_is_disabled_and_the_failure_announced(
    story: Any,
    person: Any,
    publish: Any,
    handled: Any,
    mailbox: Any,
    push_service: Any,
    dispatcher_for: Any,
    db: asyncpg.Pool,
) -> None:
    client = person(story.client, story.tenant)
    subscription = push_service.new_subscription()
    await client.subscribe(subscription, push_service)
    push_service.status[subscription.path] = 410
    goal = uuid4()
    first, second = story.milestone(goal), story.milestone(goal)
    events = [*story.opened(), story.goal_agreed(goal), first]
    await publish(*events)
    await handled(*events)
    await (await dispatcher_for(mailbox)).run_once()

    [push] = (await deliveries_of(db, first, story.client))["push"]
    assert push["status"] == "failed" and push["last_error"] == "push 410"
    r = await client.api.get("/notifications/push-subscriptions", headers=client.headers)
    assert [s["active"] for s in r.json()["items"]] == [False]
    [failed] = await outcome_events(db, [push["id"]])
    assert failed["event_type"] == "NotificationFailed" and failed["payload"]["permanent"] is True

    await publish(second)
    await handled(second)
    assert set(await deliveries_of(db, second, story.client)) == {"in_app"}  # nothing more to a dead subscription


async def test_a_milestone_that_arrives_before_its_goal_is_held_and_delivered_once_the_goal_is_known(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    email = await client.add_email()
    goal = uuid4()
    milestone = story.milestone(goal)
    await publish(milestone)
    await handled(milestone)
    assert await deliveries_of(db, milestone, story.client) == {}

    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    await handled(*setup)
    await (await dispatcher_for(mailbox)).run_once()
    assert len(mailbox.to(email, subject="Something to celebrate in Accord")) == 1
    assert await db.fetchval("SELECT count(*) FROM pending_triggers WHERE event_id = $1", milestone.event_id) == 0
