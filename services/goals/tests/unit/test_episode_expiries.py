"""Following the removals at the end of the clinical retention period, without a database: a supervisor sees the
removals of their teams' episodes, newest first, a page at a time without repeats or gaps, each service's report or
its absence; anyone else is refused. The fake ledger orders and pages as the SQL does (the integration test holds the
SQL to the same answers)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from accord.goals.domain.clinical_retention import EpisodeExpiry, RemovalsRefused
from accord.goals.entrypoints.episode_expiries import EpisodeExpiryPublic
from accord.goals.handlers.clinical_retention import removals_for
from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
TEAM, OTHER_TEAM = uuid4(), uuid4()


@dataclass
class FakeLedger:
    rows: list[tuple[str, UUID, EpisodeExpiry]] = field(default_factory=list)  # tenant, team, removal

    def expired(self, team: UUID, minutes_ago: int, tenant: str = "tenant-a") -> EpisodeExpiry:
        expiry = EpisodeExpiry(uuid4(), uuid4(), NOW - timedelta(minutes=minutes_ago), {"goals": NOW})
        self.rows.append((tenant, team, expiry))
        return expiry

    async def expiries_of_teams(
        self, tenant_id: str, teams: frozenset[UUID], after: tuple[datetime, UUID] | None, limit: int
    ) -> list[EpisodeExpiry]:
        mine = [e for t, team, e in self.rows if t == tenant_id and team in teams]
        newest_first = sorted(mine, key=lambda e: (e.expired_at, e.episode_id), reverse=True)
        return [e for e in newest_first if after is None or (e.expired_at, e.episode_id) < after][:limit]


def person(role: Role, *teams: UUID) -> Principal:
    return Principal(subject=uuid4(), tenant_id="tenant-a", roles=frozenset({role}), teams=frozenset(teams))


async def test_a_supervisor_pages_through_their_teams_removals_newest_first_without_repeats_or_gaps() -> None:
    ledger = FakeLedger()
    mine = [ledger.expired(TEAM, minutes) for minutes in (5, 1, 3, 2, 4)]
    ledger.expired(OTHER_TEAM, 0)
    ledger.expired(TEAM, 0, tenant="tenant-b")
    supervisor = person(Role.SUPERVISOR, TEAM)

    seen, after = [], None
    while page := await removals_for(ledger, supervisor, after, 2):
        seen += page
        after = (page[-1].expired_at, page[-1].episode_id)

    assert seen == sorted(mine, key=lambda e: e.expired_at, reverse=True)


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.CLIENT, Role.FAMILY, Role.ADMIN])
async def test_anyone_but_a_supervisor_is_refused_the_removals(role: Role) -> None:
    ledger = FakeLedger()
    ledger.expired(TEAM, 1)

    with pytest.raises(RemovalsRefused):
        await removals_for(ledger, person(role, TEAM), None, 20)


def test_a_removal_shows_each_services_report_and_waits_for_the_ones_not_yet_reported() -> None:
    at = NOW + timedelta(seconds=3)
    shown = EpisodeExpiryPublic.of(EpisodeExpiry(uuid4(), uuid4(), NOW, {"goals": NOW, "reporting": at}))

    assert [(s.service, s.applied, s.applied_at) for s in shown.services] == [
        ("goals", True, NOW),
        ("progress", False, None),
        ("notifications", False, None),
        ("reporting", True, at),
    ]
    assert not shown.complete
    every = {s: NOW for s in ("goals", "progress", "notifications", "reporting")}
    assert EpisodeExpiryPublic.of(EpisodeExpiry(uuid4(), uuid4(), NOW, every)).complete
