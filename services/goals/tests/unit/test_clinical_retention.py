"""The clinical retention sweep's choice, without a database: an episode closed longer ago than its tenant's period
has its records removed and `EpisodeRecordsExpired` (ids and times only) goes out; one closed more recently, or in a
tenant with a longer period of its own, is kept."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from accord.goals.domain.clinical_retention import ClosedEpisode, Cutoffs, cutoffs, is_due
from accord.goals.handlers.clinical_retention import expire_next
from accord.shared.clinical_retention import ExpiredEpisode

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@dataclass
class FakeRecords:
    """Answers the oldest closed episode left that was closed before its tenant's cutoff, as the SQL does (the
    integration test holds the SQL to the same answer)."""

    closed: list[ClosedEpisode]
    removed: list[ClosedEpisode] = field(default_factory=list)
    audit_removed: list[ExpiredEpisode] = field(default_factory=list)
    goal: UUID = field(default_factory=uuid4)
    noted: list[tuple[ClosedEpisode, datetime]] = field(default_factory=list)

    async def next_due(self, due: Cutoffs) -> ClosedEpisode | None:
        left = sorted(
            (e for e in self.closed if e not in self.removed and e.closed_at < due.for_tenant(e.tenant_id)),
            key=lambda e: e.closed_at,
        )
        return left[0] if left else None

    async def remove_episode(self, episode: ClosedEpisode) -> dict[str, int]:
        self.removed.append(episode)
        return {"episodes": 1, "goals": 2}

    async def records_of(self, episode: ClosedEpisode) -> list[UUID]:
        return [self.goal]

    async def keeps_episode_of(self, episode: ClosedEpisode) -> bool:
        return any(e.client_id == episode.client_id for e in self.closed if e not in self.removed)

    async def remove_audit(self, expired: ExpiredEpisode, removed: dict[str, int]) -> int:
        self.audit_removed.append(expired)
        return 3

    async def note_expiry(self, episode: ClosedEpisode, at: datetime) -> None:
        self.noted.append((episode, at))


def closed(tenant: str, days_ago: int) -> ClosedEpisode:
    return ClosedEpisode(tenant, uuid4(), uuid4(), NOW - timedelta(days=days_ago), uuid4())


async def sweep(records: FakeRecords, due: Cutoffs) -> list[dict[str, object]]:
    payloads = []
    while (expired := await expire_next(records, due, NOW)) is not None:
        payloads.append(expired.envelope.payload)
    return payloads


async def test_an_episode_closed_longer_ago_than_the_period_is_removed_and_announced_with_ids_only() -> None:
    old, recent = closed("tenant-a", 3000), closed("tenant-a", 2000)
    records = FakeRecords([recent, old])

    payloads = await sweep(records, cutoffs(NOW, 2922, {}))

    assert records.removed == [old]
    assert payloads == [
        {
            "client_id": str(old.client_id),
            "episode_id": str(old.episode_id),
            "expired_at": NOW.isoformat().replace("+00:00", "Z"),
            "kept_after": (NOW - timedelta(days=2922)).isoformat().replace("+00:00", "Z"),
        }
    ]
    # The audit rows about the episode and its goal go; the client has no other episode, so theirs go too.
    assert records.audit_removed == [
        ExpiredEpisode(
            old.tenant_id,
            old.client_id,
            old.episode_id,
            NOW - timedelta(days=2922),
            [old.episode_id, records.goal],
            True,
        )
    ]
    assert records.noted == [(old, NOW)]


async def test_a_tenant_with_a_period_of_its_own_keeps_or_loses_episodes_by_that_period() -> None:
    shorter, longer, default = closed("short", 40), closed("long", 3000), closed("other", 40)
    records = FakeRecords([shorter, longer, default])

    await sweep(records, cutoffs(NOW, 2922, {"short": 30, "long": 3650}))

    assert records.removed == [shorter]


async def test_nothing_due_removes_nothing_and_ends_the_sweep() -> None:
    records = FakeRecords([closed("tenant-a", 1), closed("tenant-a", 2921)])

    assert await sweep(records, cutoffs(NOW, 2922, {})) == []
    assert records.removed == []


def test_an_episode_is_due_only_once_its_whole_period_has_passed() -> None:
    due = cutoffs(NOW, 10, {})
    on_the_day = ClosedEpisode("t", uuid4(), uuid4(), NOW - timedelta(days=10), uuid4())
    assert not is_due(on_the_day, due)
    assert is_due(ClosedEpisode("t", uuid4(), uuid4(), NOW - timedelta(days=10, seconds=1), uuid4()), due)


def test_the_latest_cutoff_bounds_every_tenants_and_the_default() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    due = cutoffs(now, 2922, {"short": 30, "long": 4000})
    assert due.latest == now - timedelta(days=30)
    assert cutoffs(now, 2922, {}).latest == now - timedelta(days=2922)


async def test_only_the_removal_of_a_clients_last_episode_takes_the_audit_rows_about_the_client() -> None:
    first = closed("tenant-a", 3000)
    second = ClosedEpisode("tenant-a", uuid4(), first.client_id, NOW - timedelta(days=2950), first.team_id)
    records = FakeRecords([first, second])

    await sweep(records, cutoffs(NOW, 2922, {}))

    assert [(e.episode_id, e.last) for e in records.audit_removed] == [
        (first.episode_id, False),
        (second.episode_id, True),
    ]
