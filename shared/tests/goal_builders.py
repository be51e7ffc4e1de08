"""The one test builder of an agreed goal (the GoalAgreed event every service's tests need), with defaults a test
overrides only where it matters to it: a GBO rating goal, 0-10, from 2 up to 8, milestones at 5 and 7."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from accord.shared.events.contracts.common import (
    Direction,
    Measure,
    MeasureKind,
    MilestoneKind,
    MilestoneSpec,
    Party,
    Role,
    Visibility,
)
from accord.shared.events.contracts.goals import GoalAgreed

GBO = Measure(kind=MeasureKind.GOAL_RATING, minimum=0, maximum=10)
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def threshold_milestones(*thresholds: float) -> tuple[MilestoneSpec, ...]:
    return tuple(
        MilestoneSpec(milestone_id=uuid4(), position=i, kind=MilestoneKind.THRESHOLD, threshold=t)
        for i, t in enumerate(thresholds, start=1)
    )


def agreed_goal(
    client: UUID | None = None,
    *,
    therapist: UUID | None = None,
    episode: UUID | None = None,
    goal_id: UUID | None = None,
    version: int = 1,
    measure: Measure = GBO,
    baseline: float = 2,
    target: float = 8,
    direction: Direction | None = None,
    thresholds: Sequence[float] = (5, 7),
    milestones: tuple[MilestoneSpec, ...] | None = None,
    shared_with: Sequence[UUID] = (),
    parties: Sequence[Party] | None = None,
    review_interval_days: int = 14,
    agreed_at: datetime = T0,
    proposed_at: datetime | None = None,
    due_date: date | None = None,
    category_code: str = "daily_living",
) -> GoalAgreed:
    """Shared with the people in `shared_with` (then also parties to it, as family, unless `parties` says who),
    private otherwise; the direction follows from baseline and target unless given."""
    client = client or uuid4()
    if parties is None:
        parties = [Party(person_id=client, role=Role.CLIENT)]
        if therapist is not None:
            parties.append(Party(person_id=therapist, role=Role.THERAPIST))
        parties += [Party(person_id=person, role=Role.FAMILY) for person in shared_with]
    return GoalAgreed(
        client_id=client,
        goal_id=goal_id or uuid4(),
        episode_id=episode or uuid4(),
        version=version,
        category_code=category_code,
        measure=measure,
        baseline=baseline,
        target=target,
        direction=direction or (Direction.INCREASE if target >= baseline else Direction.DECREASE),
        due_date=due_date or (agreed_at + timedelta(days=90)).date(),
        review_interval_days=review_interval_days,
        milestones=threshold_milestones(*thresholds) if milestones is None else milestones,
        visibility=Visibility.SHARED if shared_with else Visibility.PRIVATE,
        shared_with=tuple(shared_with),
        parties=tuple(parties),
        proposed_at=proposed_at or agreed_at,
        agreed_at=agreed_at,
    )
