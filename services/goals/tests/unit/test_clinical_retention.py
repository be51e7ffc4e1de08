"""The clinical retention sweep's choice, without a database: an episode closed longer ago than its tenant's period
has its records removed and `EpisodeRecordsExpired` (ids and times only) goes out; one closed more recently, or in a
tenant with a longer period of its own, is kept."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from accord.goals.domain.clinical_retention import ClosedEpisode, Cutoffs, cutoffs, is_due
from accord.goals.handlers.clinical_retention import expire_next

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@dataclass
class FakeRecords:
    """Answers the oldest closed episode left that was closed before its tenant's cutoff, as the SQL does (the
    integration test holds the SQL to the same answer)."""

    closed: list[ClosedEpisode]
    removed: list[ClosedEpisode] = field(default_factory=list)
    audit_removed_before: list[datetime] = field(default_factory=list)
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

    async def remove_audit(self, episode: ClosedEpisode, kept_after: datetime, removed: dict[str, int]) -> int:
        self.audit_removed_before.append(kept_after)
        return 3

    async def note_expiry(self, episode: ClosedEpisode, at: datetime) -> None:
        self.noted.append((episode, at))


def closed(tenant: str, days_ago: int) -> ClosedEpisode:
    return ClosedEpisode(tenant, uuid4(), uuid4(), NOW - timedelta(days=days_ago))


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
    assert records.audit_removed_before == [NOW - timedelta(days=2922)]
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
    on_the_day = ClosedEpisode("t", uuid4(), uuid4(), NOW - timedelta(days=10))
    assert not is_due(on_the_day, due)
    assert is_due(ClosedEpisode("t", uuid4(), uuid4(), NOW - timedelta(days=10, seconds=1)), due)


def test_the_latest_cutoff_bounds_every_tenants_and_the_default() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    due = cutoffs(now, 2922, {"short": 30, "long": 4000})
    assert due.latest == now - timedelta(days=30)
    assert cutoffs(now, 2922, {}).latest == now - timedelta(days=2922)
