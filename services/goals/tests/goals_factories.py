from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from accord.goals.domain.content import GoalContent, MilestoneDraft
from accord.goals.domain.episodes import Episode
from accord.shared.events.contracts.common import Direction, Measure, MeasureKind, MilestoneKind, Role

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def episode(client: UUID | None = None, therapist: UUID | None = None) -> Episode:
    return Episode.open(
        episode_id=uuid4(),
        tenant_id="tenant-a",
        client_id=client or uuid4(),
        team_id=uuid4(),
        therapist_id=therapist or uuid4(),
        now=NOW,
    )


def content(**changes: object) -> GoalContent:
    base = GoalContent(
        statement="Take the bus to college on my own three days a week",
        why_it_matters="So I can see my friends and keep up with my course",
        category_code="daily_living",
        measure=Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10),
        baseline=2,
        target=8,
        direction=Direction.INCREASE,
        due_date=TODAY + timedelta(days=90),
        review_interval_days=14,
        confidence=6,
        expressed_by=Role.CLIENT,
        milestones=(
            MilestoneDraft(milestone_id=uuid4(), kind=MilestoneKind.THRESHOLD, description="Halfway", threshold=5),
            MilestoneDraft(milestone_id=uuid4(), kind=MilestoneKind.ACTION, description="Ride with Mum"),
        ),
    )
    return base.model_copy(update=changes)


def due(days: int) -> date:
    return TODAY + timedelta(days=days)
