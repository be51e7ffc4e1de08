"""The end of the clinical retention period in the goals service, which owns episodes: one due episode at a time (one
transaction each), its records here removed, the audit rows older than the period about them removed (all the
client's, with their last episode; the removal audited), and `EpisodeRecordsExpired` for the outbox, so every other
service removes its own records of it."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from accord.goals.domain.clinical_retention import (
    ClosedEpisode,
    Cutoffs,
    EpisodeExpiry,
    check_may_follow_removals,
    is_due,
)
from accord.shared.auth import Principal
from accord.shared.clinical_retention import ExpiredEpisode
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired

SERVICE = "goals"


class ExpiringRecords(Protocol):
    async def next_due(self, due: Cutoffs) -> ClosedEpisode | None:
        """The closed episode longest past its tenant's cutoff, locked for this transaction (one another sweep holds
        is passed over); None when none is due."""
        ...

    async def records_of(self, episode: ClosedEpisode) -> list[UUID]:
        """The ids audit rows give the episode's records by, besides the episode's own (its goals')."""
        ...

    async def remove_episode(self, episode: ClosedEpisode) -> dict[str, int]: ...

    async def keeps_episode_of(self, episode: ClosedEpisode) -> bool:
        """Whether another episode of the episode's client is still kept (asked after the removal)."""
        ...

    async def remove_audit(self, expired: ExpiredEpisode, removed: dict[str, int]) -> int: ...

    async def note_expiry(self, episode: ClosedEpisode, at: datetime) -> None: ...


class RemovalReports(Protocol):
    async def removed_by(self, tenant_id: str, episode_id: UUID, service: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class Expired:
    episode: ClosedEpisode
    removed: dict[str, int]
    """Kind of record -> how many went (for the sweep's counter and log: counts, never identifiers)."""
    envelope: Envelope
    """`EpisodeRecordsExpired`, for the outbox."""


async def expire_next(records: ExpiringRecords, due: Cutoffs, now: datetime) -> Expired | None:
    """Removes the next due episode's records; None when nothing is due (the sweep is over)."""
    episode = await records.next_due(due)
    if episode is None or not is_due(episode, due):
        return None
    about = [episode.episode_id, *await records.records_of(episode)]
    removed = await records.remove_episode(episode)
    kept_after = due.for_tenant(episode.tenant_id)
    last = not await records.keeps_episode_of(episode)
    expired = ExpiredEpisode(episode.tenant_id, episode.client_id, episode.episode_id, kept_after, about, last)
    removed["audit_log"] = await records.remove_audit(expired, removed)
    await records.note_expiry(episode, now)
    event = EpisodeRecordsExpired(
        client_id=episode.client_id, episode_id=episode.episode_id, expired_at=now, kept_after=kept_after
    )
    return Expired(episode, removed, Envelope.wrap(event, producer=SERVICE, tenant_id=episode.tenant_id))


async def on_episode_records_removed(reports: RemovalReports, envelope: Envelope, event: Any) -> None:
    """A service removed its records of an expired episode: note it (the producer names the service; a repeat keeps
    the first)."""
    await reports.removed_by(envelope.tenant_id, event.episode_id, envelope.producer, envelope.occurred_at)


class ExpiryLedger(Protocol):
    async def expiries_of_teams(
        self, tenant_id: str, teams: Collection[UUID], after: tuple[datetime, UUID] | None, limit: int
    ) -> list[EpisodeExpiry]: ...


async def removals_for(
    ledger: ExpiryLedger, me: Principal, after: tuple[datetime, UUID] | None, limit: int
) -> list[EpisodeExpiry]:
    """The removals of the episodes of `me`'s teams, newest first, after the keyset position `after`. Raises
    RemovalsRefused for anyone but a supervisor."""
    check_may_follow_removals(me)
    return await ledger.expiries_of_teams(me.tenant_id, me.teams, after, limit)
