"""The worker's clinical retention sweep: every `retention_sweep_seconds`, each episode closed longer ago than its
tenant's clinical retention period has its records removed here, one transaction per episode with its
`EpisodeRecordsExpired` in the outbox (so the other services remove theirs), its data key destroyed and a tombstone
for the key's record on the keys topic. Counts go to the retention counter and one log line; no identifiers."""

import asyncio
from collections import Counter
from datetime import UTC, datetime

from accord.goals.adapters.clinical_retention import ClinicalRecords
from accord.goals.domain.clinical_retention import cutoffs
from accord.goals.handlers.clinical_retention import SERVICE, expire_next
from accord.goals.settings import Settings
from accord.shared.clinical_retention import count_removed
from accord.shared.episode_keys import EpisodeKeys
from accord.shared.events.registry import EPISODE_KEYS_TOPIC
from accord.shared.runtime import BackgroundTask, Resources, periodic


async def remove_expired_episodes(res: Resources[Settings], now: datetime) -> dict[str, int]:
    """Removes every episode due at `now`; answers how many records of each kind went."""
    settings = res.settings
    due = cutoffs(now, settings.retention_clinical_record_days, settings.retention_clinical_record_days_by_tenant)
    total: Counter[str] = Counter({"episodes": 0})
    while True:
        async with res.pool.acquire() as conn, conn.transaction():
            expired = await expire_next(ClinicalRecords(conn, settings.db_schema), due, now)
            if expired is None:
                return {f"removed_{kind}": n for kind, n in total.items()}
            await res.outbox.add(conn, expired.envelope)
            # The key goes from the goals service in this transaction, and from its topic by compaction.
            await EpisodeKeys(settings.db_schema).destroy(conn, expired.episode.tenant_id, expired.episode.episode_id)
            await res.outbox.add_tombstone(conn, EPISODE_KEYS_TOPIC, str(expired.episode.episode_id))
        count_removed(SERVICE, expired.removed)
        total.update(expired.removed)


def clinical_record_sweep() -> BackgroundTask:
    async def step(res: Resources[Settings]) -> dict[str, int]:
        return await remove_expired_episodes(res, datetime.now(UTC))

    async def sweep(res: Resources[Settings], stop: asyncio.Event) -> None:
        await periodic("clinical retention sweep", res.settings.retention_sweep_seconds, step)(res, stop)

    return sweep
