"""An e-mail address is used only after its owner confirms it: real Kafka and PostgreSQL, the real worker's consumer
and dispatcher, real SMTP servers (the API's for links, the dispatcher's for notifications)."""

import hashlib
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consumer")]


async def follow(client: Any, token: str) -> Any:
    return await client.api.post("/notifications/email-confirmations", json={"token": token}, headers=client.headers)


async def test_an_unconfirmed_address_receives_nothing_and_the_first_milestone_after_confirming_reaches_it(
    story: Any, person: Any, publish: Any, handled: Any, mailbox: Any, dispatcher_for: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    goal = uuid4()
    setup = [*story.opened(), story.goal_agreed(goal)]
    await publish(*setup)
    await handled(*setup)
    email = await client.add_email(confirm=False)
    before = story.milestone(goal)
    await publish(before)
    await handled(before)
    dispatcher = await dispatcher_for(mailbox)
    await dispatcher.run_once()

    assert mailbox.to(email) == []
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE recipient_id = $1 AND channel = 'email'",
                             story.client) == 0  # fmt: skip
    assert [i["kind"] for i in await client.inbox()].count("milestone_celebration") == 1  # the inbox still works

    confirmed = await follow(client, client.link_token())
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    after = story.milestone(goal)
    await publish(after)
    await handled(after)
    await (await dispatcher_for(mailbox)).run_once()  # its own clock: now, when the delivery is due
    [received] = mailbox.to(email)
    assert f"https://app.accord.test/goals/{goal}" in received.get_content()


async def test_the_link_points_at_the_apps_route_and_only_a_hash_of_its_token_is_stored(
    story: Any, person: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    await client.add_email(confirm=False)
    token = client.link_token()
    [sent] = client.links.to(client.email)
    assert f"https://app.accord.test/confirm-email?token={token}" in sent.get_content()
    stored = await db.fetch(
        "SELECT e.* FROM email_confirmations e JOIN contact_points c ON c.id = e.contact_point_id "
        "WHERE c.person_id = $1",
        story.client,
    )
    assert [bytes(r["token_sha256"]) for r in stored] == [hashlib.sha256(token.encode()).digest()]
    assert token.encode() not in str([dict(r) for r in stored]).encode()
    listed = await client.api.get("/notifications/contact-points", headers=client.headers)
    assert [(e["email"], e["confirmed"]) for e in listed.json()["items"]] == [(client.email, False)]


async def test_a_link_works_once_and_a_second_use_is_refused_as_already_used(story: Any, person: Any) -> None:
    client = person(story.client, story.tenant)
    await client.add_email(confirm=False)
    token = client.link_token()
    assert (await follow(client, token)).status_code == 200

    again = await follow(client, token)
    assert again.status_code == 410
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["field"] == "token" and again.json()["reason"] == "used"


async def test_an_expired_link_is_refused_and_a_new_one_sent_on_request_confirms_the_address(
    story: Any, person: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    await client.add_email(confirm=False)
    old = client.link_token()
    await db.execute(
        "UPDATE email_confirmations SET expires_at = now() - interval '1 second' WHERE token_sha256 = $1",
        hashlib.sha256(old.encode()).digest(),
    )
    expired = await follow(client, old)
    assert expired.status_code == 410 and expired.json()["reason"] == "expired" and expired.json()["field"] == "token"

    [point] = (await client.api.get("/notifications/contact-points", headers=client.headers)).json()["items"]
    link = f"/notifications/contact-points/{point['id']}/confirmation-link"
    again = await client.api.post(link, headers=client.headers)
    assert again.status_code == 202, again.text
    new = client.link_token()
    assert new != old
    assert (await follow(client, new)).json()["confirmed"] is True
    refused = await client.api.post(link, headers=client.headers)
    assert refused.status_code == 409  # nothing more to confirm


async def test_asking_for_a_new_link_makes_the_earlier_one_stop_working(story: Any, person: Any) -> None:
    client = person(story.client, story.tenant)
    await client.add_email(confirm=False)
    first = client.link_token()
    [point] = (await client.api.get("/notifications/contact-points", headers=client.headers)).json()["items"]
    await client.api.post(f"/notifications/contact-points/{point['id']}/confirmation-link", headers=client.headers)

    assert (await follow(client, first)).status_code == 404
    assert (await follow(client, client.link_token())).status_code == 200


async def test_someone_else_following_the_link_confirms_nothing_and_is_told_it_is_not_theirs(
    story: Any, person: Any, db: asyncpg.Pool
) -> None:
    client = person(story.client, story.tenant)
    stranger = person(uuid4(), story.tenant)
    await client.add_email(confirm=False)

    refused = await follow(stranger, client.link_token())
    assert refused.status_code == 404 and refused.json()["field"] == "token"
    assert await db.fetchval("SELECT confirmed_at FROM contact_points WHERE person_id = $1", story.client) is None
    assert (await follow(client, client.link_token())).status_code == 200


async def test_someone_elses_address_cannot_be_sent_a_link(story: Any, person: Any) -> None:
    client = person(story.client, story.tenant)
    stranger = person(uuid4(), story.tenant)
    await client.add_email(confirm=False)
    [point] = (await client.api.get("/notifications/contact-points", headers=client.headers)).json()["items"]

    r = await stranger.api.post(
        f"/notifications/contact-points/{point['id']}/confirmation-link", headers=stranger.headers
    )
    assert r.status_code == 404
    assert len(client.links.to(client.email)) == 1
