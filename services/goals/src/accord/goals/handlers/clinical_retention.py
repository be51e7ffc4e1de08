"""The end of the clinical retention period in the goals service, which owns episodes: one due episode at a time (one
transaction each), its records here removed, the client's audit rows older than the period removed (the removal
audited), and `EpisodeRecordsExpired` for the outbox, so every other service removes its own records of it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from accord.goals.domain.clinical_retention import ClosedEpisode, Cutoffs, is_due
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired

SERVICE = "goals"


class ExpiringRecords(Protocol):
    async def next_due(self, due: Cutoffs) -> ClosedEpisode | None:
        """The closed episode longest past its tenant's cutoff, locked for this transaction (one another sweep holds
        is passed over); None when none is due."""
        ...

    async def remove_episode(self, episode: ClosedEpisode) -> dict[str, int]: ...

    async def remove_audit(self, episode: ClosedEpisode, kept_after: datetime, removed: dict[str, int]) -> int: ...


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
    removed = await records.remove_episode(episode)
    kept_after = due.for_tenant(episode.tenant_id)
    removed["audit_log"] = await records.remove_audit(episode, kept_after, removed)
    event = EpisodeRecordsExpired(
        client_id=episode.client_id, episode_id=episode.episode_id, expired_at=now, kept_after=kept_after
    )
    return Expired(episode, removed, Envelope.wrap(event, producer=SERVICE, tenant_id=episode.tenant_id))
