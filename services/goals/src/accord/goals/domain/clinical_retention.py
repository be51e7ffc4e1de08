"""The clinical retention period: an episode's clinical record (its goals, their versions and agreements, its
members) is kept for a period after the episode closed, then removed, restricted or not. The period is the
deploying organisation's to set, per tenant (UK codes of practice set it; 8 years after the end of care is the
default, not a recommendation). An open episode is never due, whatever its age."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role

# Every service with records of an episode: each reports its removal (goals with its own removal).
REMOVED_BY: tuple[str, ...] = ("goals", "progress", "notifications", "reporting")


@dataclass(frozen=True)
class ClosedEpisode:
    tenant_id: str
    episode_id: UUID
    client_id: UUID
    closed_at: datetime
    team_id: UUID


@dataclass(frozen=True)
class Cutoffs:
    """Episodes closed before these times are due: `by_tenant` for the tenants with a period of their own,
    `default` for every other tenant."""

    default: datetime
    by_tenant: Mapping[str, datetime]

    def for_tenant(self, tenant_id: str) -> datetime:
        return self.by_tenant.get(tenant_id, self.default)

    @property
    def latest(self) -> datetime:
        """No episode closed after this is due in any tenant."""
        return max([self.default, *self.by_tenant.values()])


def cutoffs(now: datetime, default_days: int, days_by_tenant: Mapping[str, int]) -> Cutoffs:
    return Cutoffs(
        default=now - timedelta(days=default_days),
        by_tenant={tenant: now - timedelta(days=days) for tenant, days in days_by_tenant.items()},
    )


def is_due(episode: ClosedEpisode, due: Cutoffs) -> bool:
    """Closed longer ago than its tenant's period."""
    return episode.closed_at < due.for_tenant(episode.tenant_id)


DaysFor = Callable[[str], int]


@dataclass(frozen=True)
class EpisodeExpiry:
    """An episode removed at the end of its period, as the ledger keeps it: ids and times only."""

    episode_id: UUID
    client_id: UUID
    expired_at: datetime
    removed: Mapping[str, datetime]
    """Service -> when it reported its records of the episode removed (a service not here has not yet)."""

    @property
    def complete(self) -> bool:
        return all(service in self.removed for service in REMOVED_BY)


class RemovalsRefused(Exception):
    """Only a supervisor follows the removals (of their teams' episodes), as only a supervisor decides erasure."""


def check_may_follow_removals(me: Principal) -> None:
    if not me.has(Role.SUPERVISOR):
        raise RemovalsRefused("only a supervisor follows the removals of their teams' episodes")
