"""The review sweep against the in-memory unit of work: what it publishes, once, and what it leaves alone."""

from datetime import timedelta
from uuid import uuid4

from progress_factories import T0, agreed
from progress_fakes import InMemoryUnitOfWork

from accord.progress.handlers.reviews import suggest_reviews
from accord.shared.events import Envelope
from accord.shared.events.contracts.progress import ReviewReason, ReviewSuggested
from accord.shared.events.sealing import KeyNotHere

TENANT = "tenant-sweep"


async def test_a_goal_quiet_for_its_review_interval_is_prompted_once_and_a_lively_one_is_not() -> None:
    uow = InMemoryUnitOfWork()
    quiet, lively = agreed(client=uuid4()), agreed(client=uuid4())
    for goal in (quiet, lively):
        await uow.repo.agree_goal(TENANT, goal)
    later = T0 + timedelta(days=quiet.review_interval_days)
    entry = {"entry_id": uuid4(), "goal_id": lively.goal_id, "goal_version": 1, "kind": "rating", "value": 4.0}
    await uow.repo.add_entries([{**entry, "occurred_at": later - timedelta(days=1)}])

    assert await suggest_reviews(uow, later) == 1
    assert await suggest_reviews(uow, later + timedelta(hours=1)) == 0  # a second sweep adds nothing

    [published] = uow.repo.published
    event = published.open()
    assert isinstance(event, ReviewSuggested)
    assert (published.tenant_id, published.producer) == (TENANT, "progress")
    assert (event.goal_id, event.reason, event.suggested_at) == (quiet.goal_id, ReviewReason.NO_RECENT_ENTRY, later)


async def test_a_sweep_with_nothing_due_opens_no_transaction_beyond_its_read() -> None:
    uow = InMemoryUnitOfWork()
    await uow.repo.agree_goal(TENANT, agreed(client=uuid4()))
    assert await suggest_reviews(uow, T0 + timedelta(days=1)) == 0
    assert (uow.opened, uow.repo.published) == (1, [])


async def test_a_paused_goal_is_not_prompted_however_quiet_it_is() -> None:
    uow = InMemoryUnitOfWork()
    goal = agreed(client=uuid4())
    await uow.repo.agree_goal(TENANT, goal)
    await uow.repo.set_status(goal.goal_id, "paused")
    assert await suggest_reviews(uow, T0 + timedelta(days=365)) == 0
    assert uow.repo.published == []


async def test_a_goal_whose_episode_key_has_not_arrived_is_passed_over_and_the_others_are_still_prompted() -> None:
    uow = InMemoryUnitOfWork()
    waiting, ready = agreed(client=uuid4()), agreed(client=uuid4())
    for goal in (waiting, ready):
        await uow.repo.agree_goal(TENANT, goal)
    sealed_publish = uow.repo.publish

    async def publish(*envelopes: Envelope) -> None:
        if any(e.payload["goal_id"] == str(waiting.goal_id) for e in envelopes):
            raise KeyNotHere("the key of its episode has not arrived yet")  # as the outbox's sealer raises it
        await sealed_publish(*envelopes)

    uow.repo.publish = publish  # type: ignore[method-assign]
    assert await suggest_reviews(uow, T0 + timedelta(days=waiting.review_interval_days)) == 1
    [published] = uow.repo.published
    assert published.payload["goal_id"] == str(ready.goal_id)
