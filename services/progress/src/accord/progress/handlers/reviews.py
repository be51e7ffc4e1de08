"""The review sweep: goals gone quiet for a review interval, or past their due date, prompt their clinicians."""

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog

from accord.progress.adapters.repository import Repository
from accord.progress.domain.progress import due_reviews
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalAgreed
from accord.shared.events.contracts.progress import ReviewSuggested
from accord.shared.runtime import BackgroundTask, Resources

log = structlog.get_logger(__name__)

_QUIET_GOALS = """
SELECT g.tenant_id, g.terms, coalesce(max(e.occurred_at), (g.terms ->> 'agreed_at')::timestamptz) AS last_activity,
       EXISTS (SELECT 1 FROM decisions d WHERE d.goal_id = g.goal_id AND d.goal_version = g.version
               AND d.decision_key = 'target') AS target_reached
FROM goals g LEFT JOIN entries e ON e.goal_id = g.goal_id AND e.goal_version = g.version
WHERE g.status = 'active'
GROUP BY g.goal_id
"""


async def suggest_reviews(res: Resources, now: datetime) -> int:
    """Publishes each due review once per goal version; returns how many were published."""
    published = 0
    async with res.pool.acquire() as conn:
        candidates = await conn.fetch(_QUIET_GOALS)
    for row in candidates:
        goal = GoalAgreed.model_validate_json(row["terms"])
        reasons = due_reviews(goal, row["last_activity"], now, row["target_reached"])
        if not reasons:
            continue
        async with res.pool.acquire() as conn, conn.transaction():
            repo = Repository(conn)
            for reason in reasons:
                if await repo.decide(goal, f"review:{reason.value}", None):
                    event = ReviewSuggested(
                        client_id=goal.client_id,
                        goal_id=goal.goal_id,
                        goal_version=goal.version,
                        reason=reason,
                        suggested_at=now,
                    )
                    await res.outbox.add(conn, Envelope.wrap(event, producer="progress", tenant_id=row["tenant_id"]))
                    published += 1
    return published


def review_sweep(every_seconds: float) -> BackgroundTask:
    async def sweep(res: Resources, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                count = await suggest_reviews(res, datetime.now(UTC))
                log.info("review sweep done", suggested=count)
            except Exception as exc:
                log.warning("review sweep failed; will try again", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_seconds)

    return sweep
