"""The review sweep: goals gone quiet for a review interval, or past their due date, prompt their clinicians."""

from datetime import UTC, datetime

from accord.progress.adapters import repository
from accord.progress.adapters.repository import QuietGoal
from accord.progress.domain.progress import due_reviews
from accord.progress.handlers.ports import ReviewStore, UnitOfWork
from accord.progress.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.contracts.progress import ReviewSuggested
from accord.shared.runtime import BackgroundTask, Resources, periodic


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
    published = 0
    async with uow() as repo:
        candidates = await repo.quiet_goals()
    for goal in candidates:
        if not due_reviews(goal.terms, goal.last_activity, now, goal.target_reached):
            continue  # most goals: no transaction at all
        async with uow() as repo:
            events = await reviews_to_suggest(repo, goal, now)
            await repo.publish(*(Envelope.wrap(e, producer="progress", tenant_id=goal.tenant_id) for e in events))
            published += len(events)
    return published


def review_sweep(every_seconds: float) -> BackgroundTask:
    async def step(res: Resources[Settings]) -> dict[str, int]:
        uow = repository.UnitOfWork(res.pool, res.outbox)
        return {"suggested": await suggest_reviews(uow, datetime.now(UTC))}

    return periodic("review sweep", every_seconds, step)
