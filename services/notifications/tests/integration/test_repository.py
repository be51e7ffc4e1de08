"""The notifications service's repository, run against the in-memory one and against PostgreSQL (in a transaction
rolled back after each test): both keep the same rules, so handler tests on the fake say what the service does."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from goal_builders import agreed_goal
from notifications_fakes import InMemoryRepository

from accord.devtools.testing import rolled_back
from accord.notifications.adapters.people import Defaults
from accord.notifications.adapters.repository import Repository
from accord.notifications.bootstrap import settings
from accord.notifications.domain.delivery import Delivery, DeliveryStatus
from accord.notifications.domain.preferences import ClinicianDelivery, Preferences
from accord.notifications.domain.templates import TemplateCode
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.notifications import Channel
from accord.shared.events.contracts.progress import MilestoneReached
from accord.shared.outbox import Outbox

TENANT = "tenant-repo"
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
DEFAULTS = Defaults("en", "Europe/London")


@pytest.fixture
async def repo(backend: str) -> AsyncIterator[Any]:
    if backend == "memory":
        yield InMemoryRepository()
        return
    s = settings()
    async with rolled_back(s) as conn:
        yield Repository(conn, Outbox(s.db_schema))


def delivery(recipient: UUID, channel: Channel, point: UUID | None = None, *, digest: bool = False) -> Delivery:
    return Delivery(
        id=uuid4(),
        tenant_id=TENANT,
        source_event_id=uuid4(),
        correlation_id=uuid4(),
        causation_id=None,
        client_id=recipient,
        recipient_id=recipient,
        channel=channel,
        contact_point_id=point,
        template=TemplateCode.MILESTONE_CELEBRATION,
        link_path="/goals/x",
        urgent=False,
        digest=digest,
    )


async def test_a_delivery_is_stored_once_per_event_recipient_channel_and_contact_point(repo: Any) -> None:
    person = uuid4()
    point = (await repo.people.register(TENANT, person, Channel.EMAIL, "sam@example.org")).point.id
    first = delivery(person, Channel.EMAIL, point)
    assert await repo.deliveries.add(first, DeliveryStatus.PENDING, NOW)
    again = Delivery(**{**first.__dict__, "id": uuid4()})
    assert not await repo.deliveries.add(again, DeliveryStatus.PENDING, NOW)
    assert await repo.deliveries.due_ids(NOW, 10) == [first.id]


async def test_only_a_due_pending_delivery_is_claimed_and_without_its_address_once_disabled(repo: Any) -> None:
    person = uuid4()
    point = (await repo.people.register(TENANT, person, Channel.EMAIL, "sam@example.org")).point.id
    later, now = delivery(person, Channel.EMAIL, point), delivery(person, Channel.EMAIL, point)
    await repo.deliveries.add(later, DeliveryStatus.PENDING, NOW + timedelta(hours=1))
    await repo.deliveries.add(now, DeliveryStatus.PENDING, NOW)

    assert await repo.deliveries.claim(later.id, NOW) is None
    claimed = await repo.deliveries.claim(now.id, NOW)
    assert (claimed.delivery.id, claimed.contact_point.address) == (now.id, "sam@example.org")

    await repo.people.disable(point, "550")
    assert (await repo.deliveries.claim(now.id, NOW)).contact_point is None
    await repo.deliveries.mark_sent(now, NOW)
    assert await repo.deliveries.claim(now.id, NOW) is None
    assert await repo.deliveries.due_ids(NOW + timedelta(hours=2), 10) == [later.id]


async def test_a_digest_gathers_the_recipients_other_due_items_for_the_same_address(repo: Any) -> None:
    person, other = uuid4(), uuid4()
    point = (await repo.people.register(TENANT, person, Channel.EMAIL, "alex@example.org")).point.id
    items = [delivery(person, Channel.EMAIL, point, digest=True) for _ in range(3)]
    for d in items:
        await repo.deliveries.add(d, DeliveryStatus.PENDING, NOW)
    await repo.deliveries.add(delivery(other, Channel.EMAIL, None, digest=True), DeliveryStatus.PENDING, NOW)

    companions = await repo.deliveries.digest_companions(items[0], NOW)
    assert {d.id for d in companions} == {items[1].id, items[2].id}


async def test_a_retry_counts_an_attempt_and_moves_the_delivery_and_cancelling_by_address_stops_it(repo: Any) -> None:
    person = uuid4()
    point = (await repo.people.register(TENANT, person, Channel.EMAIL, "sam@example.org")).point.id
    d = delivery(person, Channel.EMAIL, point)
    await repo.deliveries.add(d, DeliveryStatus.PENDING, NOW)
    await repo.deliveries.retry_later(d, NOW + timedelta(minutes=5), "421")
    assert await repo.deliveries.due_ids(NOW, 10) == []
    claimed = await repo.deliveries.claim(d.id, NOW + timedelta(minutes=5))
    assert claimed.delivery.attempts == 1

    await repo.deliveries.cancel_for_contact_point(point, "removed")
    assert await repo.deliveries.due_ids(NOW + timedelta(days=1), 10) == []


async def test_preferences_default_until_saved_and_contact_points_reregistered_come_back(repo: Any) -> None:
    person = uuid4()
    assert await repo.people.preferences(TENANT, person, DEFAULTS) == DEFAULTS.preferences()
    chosen = Preferences("de", "Europe/Berlin", frozenset({Channel.PUSH}), None, ClinicianDelivery.DIGEST)
    await repo.people.save_preferences(TENANT, person, chosen)
    assert await repo.people.preferences(TENANT, person, DEFAULTS) == chosen

    keys = ("p256dh-key", "auth-key")
    first = await repo.people.register(TENANT, person, Channel.PUSH, "https://push.example/sam", keys)
    await repo.people.disable(first.point.id, "410")
    assert await repo.people.active_contact_points(TENANT, person) == []
    again = await repo.people.register(TENANT, person, Channel.PUSH, "https://push.example/sam", keys)
    assert (again.point.id, again.active) == (first.point.id, True)
    assert [p.id for p in await repo.people.active_contact_points(TENANT, person)] == [first.point.id]


async def test_an_email_address_is_not_used_until_its_owner_confirms_it(repo: Any) -> None:
    person = uuid4()
    email = await repo.people.register(TENANT, person, Channel.EMAIL, "sam@example.org")
    assert (email.active, email.confirmed) == (True, False)
    assert await repo.people.active_contact_points(TENANT, person) == []


async def test_contact_points_page_through_all_of_a_persons_own_and_only_they_can_remove_them(repo: Any) -> None:
    person, stranger = uuid4(), uuid4()
    ids = {(await repo.people.register(TENANT, person, Channel.EMAIL, f"p{i}@example.org")).point.id for i in range(3)}
    await repo.people.register(TENANT, person, Channel.PUSH, "https://push.example/1", ("k", "a"))
    first = await repo.people.contact_points_page(TENANT, person, Channel.EMAIL, None, 2)
    last = first[-1]
    rest = await repo.people.contact_points_page(TENANT, person, Channel.EMAIL, (last.created_at, last.point.id), 2)
    assert [s.point.id for s in first + rest] and {s.point.id for s in first + rest} == ids
    assert len(first + rest) == 3

    some = next(iter(ids))
    assert not await repo.people.remove(TENANT, stranger, Channel.EMAIL, some)
    assert not await repo.people.remove(TENANT, person, Channel.PUSH, some)
    assert await repo.people.remove(TENANT, person, Channel.EMAIL, some)
    assert some not in {p.id for p in await repo.people.active_contact_points(TENANT, person)}


async def test_in_app_messages_are_numbered_per_recipient_and_read_only_by_them(repo: Any) -> None:
    me, other = uuid4(), uuid4()
    mine = [delivery(me, Channel.IN_APP) for _ in range(3)]
    for d in [*mine, delivery(other, Channel.IN_APP)]:
        await repo.deliveries.add(d, DeliveryStatus.SENT, NOW)
        await repo.in_app_messages.add(d)

    assert await repo.in_app_messages.last_seq(TENANT, me) == 3
    assert [m.id for m in await repo.in_app_messages.after(TENANT, me, 1, 10)] == [mine[1].id, mine[2].id]
    assert {m.id for m in await repo.in_app_messages.page(TENANT, me, None, 10)} == {d.id for d in mine}
    assert await repo.in_app_messages.unread_count(TENANT, me) == 3

    assert await repo.in_app_messages.mark_read(TENANT, other, mine[0].id) is None
    read = await repo.in_app_messages.mark_read(TENANT, me, mine[0].id)
    assert read is not None and read.read_at is not None
    assert (await repo.in_app_messages.mark_read(TENANT, me, mine[0].id)).read_at == read.read_at
    assert await repo.in_app_messages.unread_count(TENANT, me) == 2
    assert await repo.in_app_messages.last_seq(TENANT, uuid4()) == 0


async def test_a_trigger_is_held_once_per_event_until_released(repo: Any) -> None:
    goal = agreed_goal()
    reached = MilestoneReached(
        client_id=goal.client_id,
        goal_id=goal.goal_id,
        goal_version=1,
        milestone_id=uuid4(),
        entry_id=uuid4(),
        reached_at=NOW,
    )
    held = Envelope.wrap(reached, producer="progress", tenant_id=TENANT)
    await repo.held_triggers.hold(held, goal.client_id)
    await repo.held_triggers.hold(held, goal.client_id)
    assert [e.event_id for e in await repo.held_triggers.held_for(TENANT, goal.client_id)] == [held.event_id]
    assert await repo.held_triggers.held_for("another-tenant", goal.client_id) == []
    await repo.held_triggers.release(held.event_id)
    assert await repo.held_triggers.held_for(TENANT, goal.client_id) == []


async def test_an_agreed_goal_comes_due_for_a_check_in_and_a_closed_one_stays_closed(repo: Any) -> None:
    client, therapist, mum = uuid4(), uuid4(), uuid4()
    # Agreed long ago, so that it comes before whatever other tests left due in the database.
    goal = agreed_goal(client, therapist=therapist, shared_with=[mum], agreed_at=datetime(2001, 1, 1, tzinfo=UTC))
    opened = ev.EpisodeOpened(
        client_id=client, episode_id=goal.episode_id, team_id=uuid4(), lead_therapist_id=therapist, opened_at=NOW
    )
    teams = repo.care_teams
    await teams.episode_opened(TENANT, opened)
    await teams.participant(goal.episode_id, mum, Role.FAMILY, True)
    await teams.goal_agreed(TENANT, goal)

    team = await teams.team_of_episode(TENANT, client, goal.episode_id)
    assert (team.therapists, team.family) == ({therapist}, {mum})
    known = await teams.goal(TENANT, goal.goal_id)
    assert known is not None and known.access.family_may_see(mum)

    due_at = goal.agreed_at + timedelta(days=goal.review_interval_days)
    await teams.client_entries({goal.goal_id: due_at - timedelta(days=2)})
    await teams.client_entries({goal.goal_id: due_at - timedelta(days=3)})  # an older entry changes nothing
    (due,) = [d for d in await teams.claim_due_check_ins(due_at, 100) if d.goal_id == goal.goal_id]
    assert (due.next_check_in_at, due.last_entry_at) == (due_at, due_at - timedelta(days=2))
    await teams.move_check_in(goal.goal_id, due_at + timedelta(days=7))
    assert goal.goal_id not in {d.goal_id for d in await teams.claim_due_check_ins(due_at, 100)}

    await teams.goal_status(goal.goal_id, "closed")
    await teams.goal_status(goal.goal_id, "agreed", resumed_at=due_at)
    assert goal.goal_id not in {d.goal_id for d in await teams.claim_due_check_ins(due_at + timedelta(days=99), 100)}
