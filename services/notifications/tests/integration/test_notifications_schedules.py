"""What the dispatcher does on its own clock: check-in reminders, clinicians' digests, giving up on retries."""

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.progress import ProgressRecorded

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consumer")]


async def test_a_check_in_reminder_comes_on_the_review_interval_unless_the_client_already_recorded_progress(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    now = datetime.now(UTC)
    quiet_goal, busy_goal = uuid4(), uuid4()
    agreed = now - timedelta(days=15)  # reviewed every 14 days: the first check-in came due a day ago
    entry = ProgressRecorded(client_id=story.client, entry_id=uuid4(), goal_id=busy_goal, goal_version=1, value=4,
                             occurred_at=now - timedelta(days=3), recorded_by=story.client,
                             recorded_by_role=Role.CLIENT)  # fmt: skip
    events = [
        *story.opened(),
        story.goal_agreed(quiet_goal, agreed_at=agreed),
        story.goal_agreed(busy_goal, agreed_at=agreed),
        story.wrap(entry, producer="progress"),
    ]
    await publish(*events)
    await handled(*events)
    client = person(story.client, story.tenant)
    email = await client.add_email()

    dispatcher = await dispatcher_for(mailbox, check_ins_enabled=True)
    await dispatcher.run_once()
    await dispatcher.run_once()

    reminders = [i["link"] for i in await client.inbox() if i["kind"] == "check_in_reminder"]
    assert reminders == ["https://app.accord.test/checkins"]
    assert len(mailbox.to(email, subject="A moment for Accord?")) == 1
    next_due = await db.fetch(
        "SELECT next_check_in_at FROM goals WHERE goal_id = ANY($1::uuid[])", [quiet_goal, busy_goal]
    )
    assert {r["next_check_in_at"] for r in next_due} == {agreed + timedelta(days=28)}


async def test_a_clinician_who_prefers_a_digest_gets_one_message_for_several_updates(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    goals = [uuid4(), uuid4()]
    setup = [*story.opened(), *(story.goal_agreed(g) for g in goals)]
    await publish(*setup)
    await handled(*setup)
    therapist = person(story.therapist, story.tenant, "therapist")
    email = await therapist.add_email()
    await therapist.prefer(clinician_delivery="digest")
    milestones = [story.milestone(g) for g in goals]
    await publish(*milestones)
    await handled(*milestones)

    dispatcher = await dispatcher_for(mailbox)
    await dispatcher.run_once()
    assert mailbox.to(email) == []
    rows = await db.fetch(
        "SELECT * FROM deliveries WHERE recipient_id = $1 AND channel = 'email' ORDER BY id", story.therapist
    )
    assert [(r["digest"], r["template_code"]) for r in rows] == [(True, "client_update")] * 2
    digest_time = rows[0]["due_at"]
    assert digest_time.astimezone(ZoneInfo("Europe/London")).time() == time(17)  # the default digest hour
    assert digest_time > dispatcher.clock.now

    dispatcher.clock.now = digest_time
    await dispatcher.run_once()
    [digest] = mailbox.to(email)
    assert digest["Subject"] == "Your updates in Accord"
    assert "New updates in Accord: 2." in digest.get_content()
    statuses = await db.fetch("SELECT status FROM deliveries WHERE id = ANY($1::uuid[])", [r["id"] for r in rows])
    assert {r["status"] for r in statuses} == {"sent"}


async def test_a_message_that_keeps_failing_is_given_up_and_the_failure_announced(
    story: Any, person: Any, publish: Any, handled: Any, mailbox_down: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    goal = uuid4()
    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    await handled(*setup)
    await person(story.client, story.tenant).add_email()
    milestone = story.milestone(goal)
    await publish(milestone)
    await handled(milestone)

    dispatcher = await dispatcher_for(mailbox_down, delivery_max_attempts=2, retry_backoff_seconds=60)
    await dispatcher.run_once()
    dispatcher.clock.advance(seconds=61)
    await dispatcher.run_once()

    [row] = await db.fetch(
        "SELECT * FROM deliveries WHERE source_event_id = $1 AND channel = 'email'", milestone.event_id
    )
    assert (row["status"], row["attempts"]) == ("failed", 2)
    log = await db.fetch("SELECT status FROM delivery_log WHERE delivery_id = $1 ORDER BY id", row["id"])
    assert [r["status"] for r in log] == ["queued", "retrying", "failed"]
    outbox = await db.fetch("SELECT payload FROM outbox WHERE topic = 'accord.notifications.v1'")
    events = [json.loads(bytes(r["payload"])) for r in outbox]
    [failed] = [e for e in events if e["payload"].get("notification_id") == str(row["id"])]
    assert failed["event_type"] == "NotificationFailed" and failed["payload"]["permanent"] is False
