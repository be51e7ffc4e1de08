"""A session marked held invites the young person, and only them, to its feedback check: one in-app message with a
link to the check and no clinical word in it."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from accord.notifications.settings import Settings
from accord.shared.events.contracts.progress import FeedbackCheckScheduled, SessionHeld

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consumer")]


async def test_a_session_held_invites_the_young_person_alone_in_the_app_with_a_link_to_its_feedback_check(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, settings: Settings
) -> None:
    client = person(story.client, story.tenant)
    therapist = person(story.therapist, story.tenant, "therapist")
    family = person(story.family, story.tenant, "family")
    session = uuid4()
    held = story.wrap(
        SessionHeld(client_id=story.client, episode_id=story.episode, session_id=session,
                    held_at=datetime.now(UTC), held_by=story.therapist),
        producer="progress",
    )  # fmt: skip
    events = [*story.opened(), held]
    await publish(*events)
    await handled(*events)
    await (await dispatcher_for(mailbox)).run_once()

    [invitation] = [i for i in await client.inbox() if i["kind"] == "session_feedback"]
    assert invitation["link"].endswith(f"/feedback/{story.episode}/{session}")
    assert invitation["title"] == "How was it for you?"
    assert [i["kind"] for i in await family.inbox()] == []
    assert "session_feedback" not in [i["kind"] for i in await therapist.inbox()]


async def test_a_scheduled_check_invites_the_young_person_alone_as_a_session_held_does(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any
) -> None:
    client = person(story.client, story.tenant)
    family = person(story.family, story.tenant, "family")
    session = uuid4()
    scheduled = story.wrap(
        FeedbackCheckScheduled(
            client_id=story.client, episode_id=story.episode, session_id=session, scheduled_at=datetime.now(UTC)
        ),
        producer="progress",
    )
    events = [*story.opened(), scheduled]
    await publish(*events)
    await handled(*events)
    await (await dispatcher_for(mailbox)).run_once()

    [invitation] = [i for i in await client.inbox() if i["kind"] == "session_feedback"]
    assert invitation["link"].endswith(f"/feedback/{story.episode}/{session}")
    assert [i["kind"] for i in await family.inbox()] == []
