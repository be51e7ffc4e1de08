"""The goal view's handlers and the review sweep's choice, run against the in-memory repository and against the
PostgreSQL one (in a transaction rolled back after each test): both keep the same rules."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from progress_factories import T0, agreed
from progress_fakes import InMemoryRepository

from accord.devtools.testing import rolled_back
from accord.progress.adapters.repository import Repository
from accord.progress.bootstrap import settings
from accord.progress.handlers import goal_view
from accord.progress.handlers.reviews import reviews_to_suggest, suggest_reviews
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role, Visibility
from accord.shared.events.contracts.progress import ReviewReason
from accord.shared.outbox import Outbox

TENANT = "tenant-view"


@pytest.fixture
async def repo(backend: str) -> AsyncIterator[Any]:
    if backend == "memory":
        yield InMemoryRepository()
        return
    async with rolled_back(settings()) as conn:
        yield Repository(conn, Outbox(settings().db_schema))


def unit_of_work(repo: Any) -> Callable[[], AbstractAsyncContextManager[Any]]:
    """A unit of work handing out the test's repository (its transaction is the test's, rolled back after it)."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[Any]:
        yield repo

    return opened


async def published_about(repo: Any, client: UUID) -> list[str]:
    """The types of the events published about the client (the outbox's rows on PostgreSQL)."""
    if isinstance(repo, InMemoryRepository):
        return [e.event_type for e in repo.published if e.partition_key == str(client)]
    rows = await repo.conn.fetch(
        "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'event_type' AS t FROM outbox WHERE message_key = $1",
        str(client),
    )
    return [r["t"] for r in rows]


def wrapped(event: Any) -> Envelope:
    return Envelope.wrap(event, producer="goals", tenant_id=TENANT)


async def opened(repo: Any, client: UUID, therapist: UUID) -> UUID:
    episode = uuid4()
    e = ev.EpisodeOpened(
        client_id=client, episode_id=episode, team_id=uuid4(), lead_therapist_id=therapist, opened_at=T0
    )
    await goal_view.on_episode_opened(repo, wrapped(e), e)
    return episode


async def test_an_opened_episode_makes_its_client_and_lead_therapist_members(repo: Any) -> None:
    client, therapist = uuid4(), uuid4()
    await opened(repo, client, therapist)
    assert await repo.role_towards_client(TENANT, client, client) is Role.CLIENT
    assert await repo.role_towards_client(TENANT, client, therapist) is Role.THERAPIST
    assert await repo.role_towards_client(TENANT, client, uuid4()) is None
    assert await repo.role_towards_client("another-tenant", client, therapist) is None


async def test_a_family_member_sees_a_goal_once_it_is_shared_with_them_and_not_after_they_left(repo: Any) -> None:
    client, therapist, mum = uuid4(), uuid4(), uuid4()
    episode = await opened(repo, client, therapist)
    joined = ev.ParticipantJoined(client_id=client, episode_id=episode, person_id=mum, role=Role.FAMILY)
    await goal_view.on_participant_joined(repo, wrapped(joined), joined)
    goal = agreed(client=client).model_copy(update={"episode_id": episode})
    await goal_view.on_goal_agreed(repo, wrapped(goal), goal)

    [(view, role)] = (await repo.goals_with_role(TENANT, [goal.goal_id], mum)).values()
    assert role is Role.FAMILY and not view.visible_to(mum, role)

    shared = ev.GoalVisibilityChanged(
        client_id=client, goal_id=goal.goal_id, visibility=Visibility.SHARED, shared_with=(mum,)
    )
    await goal_view.on_goal_visibility_changed(repo, wrapped(shared), shared)
    [(view, role)] = (await repo.goals_with_role(TENANT, [goal.goal_id], mum)).values()
    assert view.visible_to(mum, role)
    assert view.episode_opened_at == T0

    left = ev.ParticipantLeft(client_id=client, episode_id=episode, person_id=mum)
    await goal_view.on_participant_left(repo, wrapped(left), left)
    [(view, role)] = (await repo.goals_with_role(TENANT, [goal.goal_id], mum)).values()
    assert role is None and not view.visible_to(mum, role)


async def test_an_older_goal_version_arriving_late_never_replaces_the_newer_one(repo: Any) -> None:
    client, therapist = uuid4(), uuid4()
    episode = await opened(repo, client, therapist)
    first = agreed(client=client).model_copy(update={"episode_id": episode})
    second = first.model_copy(update={"version": 2, "target": 9.0})
    for event in (second, first):
        await goal_view.on_goal_agreed(repo, wrapped(event), event)
    [(view, _)] = (await repo.goals_with_role(TENANT, [first.goal_id], therapist)).values()
    assert (view.terms.version, view.terms.target) == (2, 9.0)


async def test_a_closed_goal_stays_closed_whatever_arrives_after(repo: Any) -> None:
    client, therapist = uuid4(), uuid4()
    episode = await opened(repo, client, therapist)
    goal = agreed(client=client).model_copy(update={"episode_id": episode})
    await goal_view.on_goal_agreed(repo, wrapped(goal), goal)
    paused = ev.GoalPaused(client_id=client, goal_id=goal.goal_id, paused_by=therapist)
    await goal_view.on_goal_paused(repo, wrapped(paused), paused)
    [(view, _)] = (await repo.goals_with_role(TENANT, [goal.goal_id], therapist)).values()
    assert view.status == "paused"

    closed = ev.GoalClosed(client_id=client, goal_id=goal.goal_id, outcome=ev.GoalOutcome.ACHIEVED, closed_at=T0)
    resumed = ev.GoalResumed(client_id=client, goal_id=goal.goal_id, resumed_by=therapist)
    await goal_view.on_goal_closed(repo, wrapped(closed), closed)
    await goal_view.on_goal_resumed(repo, wrapped(resumed), resumed)
    [(view, _)] = (await repo.goals_with_role(TENANT, [goal.goal_id], therapist)).values()
    assert view.status == "closed"
    assert goal.goal_id not in {q.terms.goal_id for q in await repo.quiet_goals()}


async def test_a_quiet_goal_prompts_its_review_once_per_goal_version(repo: Any) -> None:
    client, therapist = uuid4(), uuid4()
    episode = await opened(repo, client, therapist)
    goal = agreed(client=client).model_copy(update={"episode_id": episode})
    await goal_view.on_goal_agreed(repo, wrapped(goal), goal)
    [quiet] = [q for q in await repo.quiet_goals() if q.terms.goal_id == goal.goal_id]
    assert (quiet.tenant_id, quiet.last_activity, quiet.target_reached) == (TENANT, T0, False)

    later = T0 + timedelta(days=goal.review_interval_days)
    [review] = await reviews_to_suggest(repo, quiet, later)
    assert (review.goal_id, review.goal_version, review.reason) == (goal.goal_id, 1, ReviewReason.NO_RECENT_ENTRY)
    assert await reviews_to_suggest(repo, quiet, later + timedelta(days=1)) == []


async def test_the_sweep_publishes_a_quiet_goals_review_in_its_transaction_once(repo: Any) -> None:
    client, therapist = uuid4(), uuid4()
    episode = await opened(repo, client, therapist)
    goal = agreed(client=client).model_copy(update={"episode_id": episode})
    await goal_view.on_goal_agreed(repo, wrapped(goal), goal)

    later = T0 + timedelta(days=goal.review_interval_days)
    await suggest_reviews(unit_of_work(repo), later)  # other tests' goals may be due as well, on PostgreSQL
    assert await suggest_reviews(unit_of_work(repo), later + timedelta(hours=1)) == 0
    assert await published_about(repo, client) == ["ReviewSuggested"]
