"""Scheduled feedback checks: an open episode with no session marked held for the tenant's interval gets a check of
its own, so that the young person is asked how their sessions are going even when nobody marks them (docs/alliance.md).
Each is a session row that no therapist held and a `FeedbackCheckScheduled` event, in one transaction; its id comes
from the episode and the instant it fell due, so two workers sweeping at once add it once."""

from datetime import UTC, datetime, timedelta

import structlog

from accord.progress.adapters import repository
from accord.progress.adapters.sessions import Sessions
from accord.progress.domain.feedback import check_due, scheduled_check_id
from accord.progress.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.progress import FeedbackCheckScheduled
from accord.shared.events.sealing import KeyNotHere
from accord.shared.runtime import BackgroundTask, Resources, periodic

log = structlog.get_logger(__name__)


async def schedule_feedback_checks(uow: repository.UnitOfWork, settings: Settings, now: datetime) -> int:
    """Adds the checks due at `now`; returns how many."""
    every = [settings.feedback_check_every_days, *settings.feedback_check_every_days_by_tenant.values()]
    shortest = min((d for d in every if d > 0), default=0)
    if not shortest:
        return 0  # no tenant asks on a schedule
    async with uow() as repo:
        quiet = await Sessions(repo.conn).quiet_episodes(now - timedelta(days=shortest))
    added = waiting = 0
    for episode in quiet:
        due = check_due(episode.last_at, settings.check_every_days(episode.tenant_id), now)
        if due is None:
            continue  # a tenant with a longer interval, or none
        session_id = scheduled_check_id(episode.episode_id, due)
        try:
            async with uow() as repo:
                fresh = await Sessions(repo.conn).add_session(
                    session_id=session_id,
                    tenant_id=episode.tenant_id,
                    episode_id=episode.episode_id,
                    client_id=episode.client_id,
                    held_at=now,
                    held_by=None,
                    scheduled=True,
                )
                if fresh:
                    event = FeedbackCheckScheduled(
                        client_id=episode.client_id,
                        episode_id=episode.episode_id,
                        session_id=session_id,
                        scheduled_at=now,
                    )
                    await repo.publish(Envelope.wrap(event, producer="progress", tenant_id=episode.tenant_id))
                    added += 1
        except KeyNotHere:
            # The episode's key has not reached this service (events/sealing.py): its check is undone and scheduled
            # by a later sweep; the other episodes must not wait for it.
            waiting += 1
    if waiting:
        log.warning("feedback checks held back until their episode keys arrive", episodes=waiting)
    return added


def feedback_check_sweep(every_seconds: float) -> BackgroundTask:
    async def step(res: Resources[Settings]) -> dict[str, int]:
        uow = repository.UnitOfWork(res.pool, res.outbox)
        return {"scheduled": await schedule_feedback_checks(uow, res.settings, datetime.now(UTC))}

    return periodic("feedback check sweep", every_seconds, step)
