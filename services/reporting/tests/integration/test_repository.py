"""Reporting's repository, run against the in-memory one and against PostgreSQL (in a transaction rolled back after
each test): both keep the same facts, once each, and answer the same questions about them."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from reporting_fakes import InMemoryRepository
from reporting_scenario import Cast, script, shuffled_with_copies

from accord.devtools.testing import rolled_back
from accord.reporting.adapters.repository import Repository
from accord.reporting.bootstrap import settings
from accord.reporting.domain.projection import rows_for
from accord.shared.events import Envelope

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
async def repo(backend: str) -> AsyncIterator[Any]:
    if backend == "memory":
        yield InMemoryRepository()
        return
    async with rolled_back(settings()) as conn:
        yield Repository(conn, settings().db_schema)


async def added(repo: Any, envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        await repo.add(rows_for(envelope, envelope.open()))


async def test_facts_added_again_and_out_of_order_are_kept_once(repo: Any) -> None:
    cast = Cast()
    envelopes = script(cast, NOW)
    await added(repo, envelopes)
    once = await repo.histories(cast.tenant, cast.clients)
    await added(repo, shuffled_with_copies(envelopes, seed=7))
    again = await repo.histories(cast.tenant, cast.clients)
    assert [h.client_id for h in once] == sorted(cast.clients, key=str)
    assert all(h.episodes and h.versions for h in once)
    assert [(len(h.goal_events), len(h.entries), len(h.safety_signals)) for h in again] == [
        (len(h.goal_events), len(h.entries), len(h.safety_signals)) for h in once
    ]
    first = once[0]
    assert await repo.history(cast.tenant, first.client_id) == first


async def test_a_clinician_has_the_clients_they_lead_or_ever_joined_and_a_team_its_clients(repo: Any) -> None:
    cast = Cast()
    await added(repo, script(cast, NOW))
    c1, c2 = cast.clients[1], cast.clients[2]
    assert set(await repo.clients_of_clinician(cast.tenant, cast.colleague)) == {c1, c2}  # c2's was left later
    assert set(await repo.clients_of_clinician(cast.tenant, cast.therapist)) == set(cast.clients)
    assert set(await repo.clients_of_team(cast.tenant, cast.team)) == set(cast.clients)
    assert await repo.clients_of_team("another-tenant", cast.team) == []


async def test_a_signal_shown_to_one_clinician_is_seen_by_them_and_by_anyone_but_not_by_another(repo: Any) -> None:
    tenant, viewer, other = "t-seen", uuid4(), uuid4()
    shown, unshown = uuid4(), uuid4()
    await repo.mark_seen(tenant, viewer, [shown])
    await repo.mark_seen(tenant, viewer, [shown])  # shown twice: still one fact
    assert await repo.seen_signals(tenant, viewer) == {shown}
    assert await repo.seen_signals(tenant, other) == set()
    assert await repo.seen_by_anyone(tenant, [shown, unshown]) == {shown}
    assert await repo.seen_by_anyone("another-tenant", [shown]) == set()


async def test_a_preferred_name_set_again_replaces_the_first_and_only_asked_names_come_back(repo: Any) -> None:
    tenant, named, unnamed, therapist = "t-names", uuid4(), uuid4(), uuid4()
    await repo.set_client_name(tenant, named, "Sam", therapist)
    await repo.set_client_name(tenant, named, "Sammy", therapist)
    assert await repo.client_names(tenant, [named, unnamed]) == {named: "Sammy"}
    assert await repo.client_names(tenant, [unnamed]) == {}
    assert await repo.client_names("another-tenant", [named]) == {}
