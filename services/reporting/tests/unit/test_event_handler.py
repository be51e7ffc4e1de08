"""The event handler on the in-memory repository: what it keeps of the consumed events, whatever their order and
however often they come."""

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from reporting_fakes import InMemoryProjections, InMemoryRepository
from reporting_scenario import Cast, script, shuffled_with_copies

from accord.reporting.domain.history import ClientHistory
from accord.reporting.handlers import on_event, on_events
from accord.shared.inbox import Delivered

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def facts(history: ClientHistory) -> dict[str, Any]:
    """The history's facts, in no order (the order of arrival is not a fact)."""
    kept = {f.name: getattr(history, f.name) for f in fields(history)}
    return {name: sorted(map(repr, facts)) for name, facts in kept.items() if isinstance(facts, tuple)}


async def test_every_consumed_event_is_kept_once_in_the_projections_whatever_the_order_and_copies() -> None:
    cast = Cast()
    envelopes = script(cast, NOW)
    repo = InMemoryRepository()
    for envelope in shuffled_with_copies(envelopes, seed=3):
        await on_event(repo, envelope, envelope.open())
    expected = InMemoryProjections().apply(envelopes)
    for client in cast.clients:
        handled = await repo.history(cast.tenant, client)
        assert facts(handled) == facts(expected.history(cast.tenant, client))
        assert handled.episodes and handled.goal_events


async def test_events_applied_together_as_a_consumer_batch_keep_the_same_facts_as_one_by_one() -> None:
    cast = Cast()
    envelopes = script(cast, NOW)
    together, one_by_one = InMemoryRepository(), InMemoryRepository()
    arrived = shuffled_with_copies(envelopes, seed=5)
    for start in range(0, len(arrived), 7):  # batches of seven, copies included
        await on_events(together, [Delivered(e, e.open()) for e in arrived[start : start + 7]])
    for envelope in arrived:
        await on_event(one_by_one, envelope, envelope.open())
    for client in cast.clients:
        batched = await together.history(cast.tenant, client)
        assert batched.episodes and batched.goal_events
        assert facts(batched) == facts(await one_by_one.history(cast.tenant, client))


async def test_the_facts_of_one_tenant_are_not_another_tenants() -> None:
    ours, theirs = Cast(), Cast()
    repo = InMemoryRepository()
    for envelope in script(ours, NOW):
        await on_event(repo, envelope, envelope.open())
    assert await repo.clients_of_team(ours.tenant, ours.team)
    assert await repo.clients_of_team(theirs.tenant, ours.team) == []
    assert not (await repo.history(theirs.tenant, ours.clients[0])).episodes
