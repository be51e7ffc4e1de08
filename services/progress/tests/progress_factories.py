from datetime import date, timedelta
from uuid import UUID, uuid4

from goal_builders import T0, agreed_goal

from accord.progress.domain.progress import Point
from accord.shared.events.contracts.common import Direction, Instrument, Measure, MeasureKind
from accord.shared.events.contracts.goals import GoalAgreed


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
    return agreed_goal(
        client,
        version=version,
        measure=Measure(kind=kind, minimum=0, maximum=maximum, instrument=instrument),
        baseline=baseline,
        target=target,
        direction=direction,
        thresholds=thresholds,
        agreed_at=T0,
        due_date=date(2027, 1, 1),
    )


def points(*values: float) -> list[Point]:
    return [Point(uuid4(), v, T0 + timedelta(days=i + 1)) for i, v in enumerate(values)]
