"""The entry handlers against the in-memory repository: who may record, what is decided, and what is published."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from progress_factories import T0, agreed
from progress_fakes import InMemoryRepository

from accord.progress.domain.commands import EntryKind, RecordEntry
from accord.progress.handlers.context import Context
from accord.progress.handlers.entries import record_entries, record_entry
from accord.shared.auth import Principal
from accord.shared.errors import Conflict, NotYetKnown, WrongState
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts import progress as pev
from accord.shared.events.contracts.common import Role

TENANT = "tenant-unit"
NOW = T0 + timedelta(days=10)


async def world() -> tuple[InMemoryRepository, ev.GoalAgreed, UUID, UUID]:
    """A client's episode with their therapist and one agreed goal rated 0-10 (baseline 2, milestones 5 and 7)."""
    repo, client, therapist = InMemoryRepository(), uuid4(), uuid4()
    goal = agreed(client=client)
    await repo.add_episode(TENANT, goal.episode_id, client, therapist, uuid4(), T0)
    await repo.agree_goal(TENANT, goal)
    return repo, goal, client, therapist


def context(repo: InMemoryRepository, person: UUID, role: Role = Role.CLIENT) -> Context:
    actor = Principal(subject=person, tenant_id=TENANT, roles=frozenset({role}))
    return Context(actor=actor, repo=repo, now=NOW, gbo_reliable_change=2, clock_skew=timedelta(minutes=5))  # type: ignore[arg-type]


def rating(goal: ev.GoalAgreed, value: float, day: int, entry_id: UUID | None = None) -> RecordEntry:
    return RecordEntry(goal.goal_id, entry_id or uuid4(), EntryKind.RATING, T0 + timedelta(days=day), value)


async def test_a_rating_crossing_a_milestone_publishes_it_once_and_a_later_one_does_not_again() -> None:
    repo, goal, client, _ = await world()
    ctx = context(repo, client)
    await record_entry(ctx, rating(goal, 6, 1))
    reached = [e for e in ctx.events if isinstance(e, pev.MilestoneReached)]
    assert [e.milestone_id for e in reached] == [goal.milestones[0].milestone_id]
    assert [type(e) for e in ctx.events if isinstance(e, pev.AchievementStatusChanged)] == [
        pev.AchievementStatusChanged
    ]

    again = context(repo, client)
    await record_entry(again, rating(goal, 6, 2))
    assert not [e for e in again.events if isinstance(e, pev.MilestoneReached)]
    assert len(repo.entries) == 2


async def test_an_entry_resent_with_its_id_answers_the_original_and_publishes_nothing() -> None:
    repo, goal, client, therapist = await world()
    first = rating(goal, 4, 1)
    await record_entry(context(repo, client), first)
    resend = context(repo, client)
    answer = await record_entry(resend, first)
    assert answer.duplicate and resend.events == []
    with pytest.raises(Conflict):
        await record_entry(context(repo, therapist, Role.THERAPIST), rating(goal, 5, 2, first.entry_id))


async def test_a_paused_goal_and_a_stranger_are_refused_each_in_a_batch_that_goes_ahead() -> None:
    repo, goal, client, _ = await world()
    other = agreed(client=client).model_copy(update={"episode_id": goal.episode_id})
    await repo.agree_goal(TENANT, other)
    await repo.set_status(other.goal_id, "paused")
    outcomes = await record_entries(context(repo, client), [rating(goal, 3, 1), rating(other, 3, 1)])
    assert not isinstance(outcomes[0], Exception)
    assert isinstance(outcomes[1], WrongState)

    stranger = context(repo, uuid4())
    [refused] = await record_entries(stranger, [rating(goal, 3, 2)])
    assert isinstance(refused, NotYetKnown)  # the same answer as for a goal not known here
    assert [reason for _, reason in stranger.denied] == ["NotYetKnown"]
