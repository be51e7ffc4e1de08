"""The retention sweep: the worker removes records past their retention period, in bounded batches."""

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog

from accord.notifications.adapters import repository
from accord.notifications.domain.retention import RecordKind
from accord.notifications.handlers.ports import UnitOfWork
from accord.notifications.metrics import RETENTION_REMOVED
from accord.notifications.settings import Settings
from accord.shared.retention import remove_expired_dead_letter_records
from accord.shared.runtime import BackgroundTask, Resources

log = structlog.get_logger(__name__)

# In-app messages first: a delivery is kept while its message is.
ORDER = (
    RecordKind.IN_APP_MESSAGES,
    RecordKind.DELIVERIES,
    RecordKind.HELD_TRIGGERS,
    RecordKind.IDEMPOTENCY_KEYS,
    RecordKind.EXPORT_PARTS,
)


async def enforce_retention(uow: UnitOfWork, settings: Settings, now: datetime) -> dict[RecordKind, int]:
    """Removes every record due at `now`, one short transaction per batch; returns how many of each kind went."""
    schedule = settings.retention_schedule
    limit = settings.retention_batch_size
    removed: dict[RecordKind, int] = {}
    for kind in ORDER:
        cutoffs = schedule.cutoffs(kind, now)
        total = 0
        while True:
            async with uow() as repo:
                count = await repo.retention.remove_due(kind, cutoffs, limit)
            total += count
            RETENTION_REMOVED.labels(kind=kind.value).inc(count)
            if count < limit:
                break
        removed[kind] = total
    # Counts only: which records went would say whom they were about.
    log.info("retention sweep done", **{f"removed_{kind.value}": n for kind, n in removed.items()})
    return removed


def retention_sweep(every_seconds: float) -> BackgroundTask:
    async def sweep(res: Resources[Settings], stop: asyncio.Event) -> None:
        uow = repository.UnitOfWork(res.pool, res.outbox)
        while not stop.is_set():
            try:
                now = datetime.now(UTC)
                await enforce_retention(uow, res.settings, now)
                removed = await remove_expired_dead_letter_records(res.pool, res.settings, now)
                log.info("dead-letter records past their period removed", removed_dead_letter_records=removed)
            except Exception as exc:
                log.warning("retention sweep failed; will try again", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_seconds)

    return sweep
