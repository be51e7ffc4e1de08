from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from accord.progress.domain.progress import Point
from accord.shared.events.contracts.common import (
    Direction,
    Instrument,
    Measure,
    MeasureKind,
    MilestoneKind,
    MilestoneSpec,
    Party,
    Role,
    Visibility,
)
from accord.shared.events.contracts.goals import GoalAgreed

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def agreed(
    direction: Direction = Direction.INCREASE,
    baseline: float = 2,
    target: float = 8,
    thresholds: tuple[float, ...] = (5, 7),
    kind: MeasureKind = MeasureKind.GOAL_RATING,
    instrument: Instrument | None = None,
    maximum: float = 10,
    client: UUID | None = None,
    version: int = 1,
) -> GoalAgreed:
    client = client or uuid4()
    return GoalAgreed(
        client_id=client,
        goal_id=uuid4(),
        episode_id=uuid4(),
        version=version,
        category_code="daily_living",
        measure=Measure(kind=kind, minimum=0, maximum=maximum, instrument=instrument),
        baseline=baseline,
        target=target,
        direction=direction,
        due_date=date(2027, 1, 1),
        review_interval_days=14,
        milestones=tuple(
            MilestoneSpec(milestone_id=uuid4(), position=i, kind=MilestoneKind.THRESHOLD, threshold=t)
            for i, t in enumerate(thresholds, start=1)
        ),
        visibility=Visibility.PRIVATE,
        parties=(Party(person_id=client, role=Role.CLIENT),),
        proposed_at=T0,
        agreed_at=T0,
    )


def points(*values: float) -> list[Point]:
    return [Point(uuid4(), v, T0 + timedelta(days=i + 1)) for i, v in enumerate(values)]
