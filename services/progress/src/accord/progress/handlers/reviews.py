"""The review sweep: goals gone quiet for a review interval, or past their due date, prompt their clinicians."""

from datetime import UTC, datetime

import structlog

from accord.progress.adapters import repository
from accord.progress.adapters.repository import QuietGoal
from accord.progress.domain.progress import due_reviews
from accord.progress.handlers.ports import ReviewStore, UnitOfWork
from accord.progress.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.progress import ReviewSuggested
from accord.shared.events.sealing import KeyNotHere
from accord.shared.runtime import BackgroundTask, Resources, periodic

log = structlog.get_logger(__name__)


async def reviews_to_suggest(repo: ReviewStore, goal: QuietGoal, now: datetime) -> list[ReviewSuggested]:
    """The reviews newly due for this goal version, each recorded as decided so that it is suggested once."""
    terms = goal.terms
    return [
        ReviewSuggested(
            client_id=terms.client_id,
            goal_id=terms.goal_id,
            goal_version=terms.version,
            reason=reason,
            suggested_at=now,
        )
        for reason in due_reviews(terms, goal.last_activity, now, goal.target_reached)
        if await repo.decide(terms, f"review:{reason.value}", None)
    ]


async def suggest_reviews(uow: UnitOfWork, now: datetime) -> int:
    """Publishes each due review once per goal version; returns how many were published."""
    published = waiting = 0
    async with uow() as repo:
        candidates = await repo.quiet_goals()
    for goal in candidates:
        if not due_reviews(goal.terms, goal.last_activity, now, goal.target_reached):
            continue  # most goals: no transaction at all
        try:
            async with uow() as repo:
                events = await reviews_to_suggest(repo, goal, now)
                await repo.publish(*(Envelope.wrap(e, producer="progress", tenant_id=goal.tenant_id) for e in events))
        except KeyNotHere:
            # Its episode's key has not reached this service (events/sealing.py): the transaction is undone, so the
            # review is suggested by a later sweep; the other goals must not wait for it.
            waiting += 1
            continue
        published += len(events)
    if waiting:
        log.warning("reviews held back until their episode keys arrive", goals=waiting)
    return published


def review_sweep(every_seconds: float) -> BackgroundTask:
    async def step(res: Resources[Settings]) -> dict[str, int]:
        uow = repository.UnitOfWork(res.pool, res.outbox)
        return {"suggested": await suggest_reviews(uow, datetime.now(UTC))}

    return periodic("review sweep", every_seconds, step)
