"""The end of an episode's clinical retention period, as every service with records of the episode applies it.

The goals service owns episodes: its worker finds each episode closed longer ago than its tenant's clinical
retention period, removes its own records of it, and announces `EpisodeRecordsExpired` (ids and times only). Every
other service removes its own records of that episode in its inbox's transaction (so once), through its repository
(an `EpisodeRecords`), and destroys its copy of the episode's data key (`episode_keys.py`), whether the client's
records were restricted or not: a restriction keeps them only for the period. The audit log is kept as long as the
records it is about: with the episode go the client's audit rows older than the period (`kept_after`) about the
episode's records (by resource id: the episode, its goals, ...); the rest of the client's rows (about the client, or
about records that name no episode) stay until the client's last episode here goes, and then go too if older than
the period. So the access log of a client's other, still-kept episode is never removed with an earlier one. The
removal itself is audited, by the retention job, naming the kinds of record
and how many went (never what they said).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from accord.shared.audit import Audit
from accord.shared.auth import Principal
from accord.shared.db import Connection
from accord.shared.episode_keys import EpisodeKeys
from accord.shared.events import Envelope
from accord.shared.events.base import ClientEvent
from accord.shared.inbox import EventHandler
from accord.shared.retention import RETENTION_REMOVED

RETENTION_JOB_ID = UUID(int=0)
"""The actor of every audit row the retention job writes (no person: the nil UUID, with no roles)."""
REMOVAL_ACTION = "remove expired records"


def retention_job(tenant_id: str) -> Principal:
    return Principal(subject=RETENTION_JOB_ID, tenant_id=tenant_id, roles=frozenset())


class EpisodeRecords(Protocol):
    """A service's repository, as far as the end of an episode's retention period goes."""

    async def records_of(self, tenant_id: str, episode_id: UUID) -> list[UUID]:
        """The ids audit rows here give the episode's records by: the episode's and its goals' (and, where the
        service keeps them, its sessions' and questionnaire responses'). Asked before the removal."""
        ...

    async def remove_episode(self, tenant_id: str, client_id: UUID, episode_id: UUID) -> dict[str, int]:
        """Deletes every record of the episode here; answers how many of each kind went (idempotent)."""
        ...

    async def keeps_episode_of(self, tenant_id: str, client_id: UUID) -> bool:
        """Whether an episode of the client is still kept here (asked after the removal)."""
        ...


@dataclass(frozen=True)
class ExpiredEpisode:
    """An episode whose records went here, as far as its audit rows go."""

    tenant_id: str
    client_id: UUID
    episode_id: UUID
    kept_after: datetime
    """The start of the period kept: audit rows recorded before it may go."""
    records: Sequence[UUID]
    """The ids of the episode's records (the resource ids of the audit rows about them)."""
    last: bool
    """No episode of the client is kept here any more."""


async def remove_expired_audit(
    conn: Connection,
    schema: str,
    expired: ExpiredEpisode,
    removed: Mapping[str, int],
    kept_types: Sequence[str] = (),
) -> int:
    """Deletes the client's audit rows older than the period about the expired episode's records (every one of the
    client's, if it was their last episode here; never one about a resource of `kept_types`), then audits what went
    with the episode (`removed` and the audit rows): kinds and counts only. Returns how many audit rows went."""
    audit = Audit(schema)
    gone = await audit.remove_client_rows(
        conn,
        expired.tenant_id,
        expired.client_id,
        expired.kept_after,
        about=None if expired.last else expired.records,
        kept_types=kept_types,
        kept_actions=(REMOVAL_ACTION,),  # the record of an earlier removal outlives what it removed
    )
    counts = {**removed, "audit_log": gone}
    reason = "clinical retention period over; removed " + ", ".join(f"{kind}: {n}" for kind, n in counts.items())
    await audit.record(
        conn,
        retention_job(expired.tenant_id),
        REMOVAL_ACTION,
        "episode",
        expired.episode_id,
        expired.client_id,
        reason=reason,
    )
    return gone


async def ids_of_episode(conn: Connection, statement: str, tenant_id: str, episode_id: UUID) -> list[UUID]:
    """The ids `statement` selects ($1 tenant, $2 episode): a repository's `records_of`."""
    return [row[0] for row in await conn.fetch(statement, tenant_id, episode_id)]


async def keeps_episode_of(conn: Connection, episodes: str, tenant_id: str, client_id: UUID) -> bool:
    """Whether the table `episodes` (tenant_id, client_id) still holds an episode of the client."""
    return bool(
        await conn.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {episodes} WHERE tenant_id = $1 AND client_id = $2)", tenant_id, client_id
        )
    )


def count_removed(service: str, removed: Mapping[str, int]) -> None:
    """The retention sweep's counter, by kind of record (`accord_retention_removed_total{service,kind}`)."""
    for kind, n in removed.items():
        RETENTION_REMOVED.labels(service=service, kind=kind).inc(n)


class Announcer(Protocol):
    async def add(self, conn: Connection, *envelopes: Envelope) -> None: ...


def on_episode_records_expired(
    service: str,
    schema: str,
    records: Callable[[Connection], EpisodeRecords],
    outbox: Announcer,
    removed_event: Callable[..., ClientEvent],
) -> EventHandler:
    """The inbox handler of `EpisodeRecordsExpired`: the episode's records here and the audit rows about them older
    than the period (all the client's, with their last episode here) are removed, the removal audited, and announced
    with `removed_event` (the service's `...EpisodeRecordsRemoved`, for the goals service to count), all in the
    inbox's transaction."""

    async def handle(conn: Connection, envelope: Envelope, event: Any) -> None:
        tenant_id, client_id, episode_id = envelope.tenant_id, event.client_id, event.episode_id
        repository = records(conn)
        about = [episode_id, *await repository.records_of(tenant_id, episode_id)]
        removed = await repository.remove_episode(tenant_id, client_id, episode_id)
        # Every copy of the episode's key goes with its records: what is left of its events can no longer be read.
        await EpisodeKeys(schema).destroy(conn, tenant_id, episode_id)
        last = not await repository.keeps_episode_of(tenant_id, client_id)
        expired = ExpiredEpisode(tenant_id, client_id, episode_id, event.kept_after, about, last)
        audit_rows = await remove_expired_audit(conn, schema, expired, removed)
        # Counted before the commit: a transaction that fails is retried, and may count twice (an overcount only).
        count_removed(service, {**removed, "audit_log": audit_rows})
        announced = removed_event(client_id=client_id, episode_id=episode_id)
        await outbox.add(conn, envelope.caused(announced, producer=service))

    return handle
