from goals_factories import TODAY, content, due

from accord.goals.domain.smart import Criterion, check
from accord.shared.events.contracts.common import Direction


def failing(**changes: object) -> dict[Criterion, str | None]:
    return {r.criterion: r.hint for r in check(content(**changes), TODAY).results if not r.passed}


def test_a_well_formed_goal_passes_every_criterion() -> None:
    assert check(content(), TODAY).passed


def test_a_vague_statement_is_not_specific() -> None:
    assert list(failing(statement="feel better")) == [Criterion.SPECIFIC]
    assert list(failing(statement="happier")) == [Criterion.SPECIFIC]


def test_a_target_beyond_the_scale_or_the_wrong_way_is_not_measurable() -> None:
    assert list(failing(target=12)) == [Criterion.MEASURABLE]
    assert list(failing(target=1)) == [Criterion.MEASURABLE]  # increase goal whose target is below baseline
    assert list(failing(direction=Direction.DECREASE, target=1)) == []


def test_low_confidence_is_flagged_kindly() -> None:
    hints = failing(confidence=2)
    assert list(hints) == [Criterion.ACHIEVABLE] and "smaller first step" in (hints[Criterion.ACHIEVABLE] or "")


def test_no_reason_is_not_relevant() -> None:
    assert list(failing(why_it_matters="")) == [Criterion.RELEVANT]


def test_due_dates_in_the_past_or_years_away_are_not_time_bound() -> None:
    assert list(failing(due_date=due(-1))) == [Criterion.TIME_BOUND]
    assert list(failing(due_date=due(3 * 365))) == [Criterion.TIME_BOUND]
    assert list(failing(due_date=due(10), review_interval_days=30)) == [Criterion.TIME_BOUND]
