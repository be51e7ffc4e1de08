import random
from datetime import timedelta

from progress_factories import T0, agreed, points

from accord.progress.domain.progress import Ledger, Point, achievement_status, summarise, threshold_decisions
from accord.shared.events.contracts.common import Direction, Instrument, MeasureKind
from accord.shared.events.contracts.progress import AchievementStatus, ReviewReason


def keys(decisions: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(d.key.split(":")[0] if d.kind != "milestone" else f"m{d.key}" for d in decisions)


def test_milestones_and_target_are_reached_by_the_first_entry_crossing_them_increasing() -> None:
    goal = agreed(thresholds=(5, 7))
    series = points(3, 5, 4, 8)
    decisions = {d.key: d for d in threshold_decisions(goal, series)}
    first, second = goal.milestones
    assert decisions[f"milestone:{first.milestone_id}"].entry_id == series[1].entry_id
    assert decisions[f"milestone:{second.milestone_id}"].entry_id == series[3].entry_id
    assert decisions["target"].entry_id == series[3].entry_id


def test_thresholds_work_downwards_for_a_decreasing_goal() -> None:
    goal = agreed(
        direction=Direction.DECREASE,
        baseline=9,
        target=2,
        thresholds=(6, 4),
        kind=MeasureKind.COUNT_PER_PERIOD,
        maximum=50,
    )
    series = points(8, 6, 7, 3)
    decisions = {d.key: d for d in threshold_decisions(goal, series)}
    assert decisions[f"milestone:{goal.milestones[0].milestone_id}"].entry_id == series[1].entry_id
    assert decisions[f"milestone:{goal.milestones[1].milestone_id}"].entry_id == series[3].entry_id
    assert "target" not in decisions
    assert not threshold_decisions(goal, points(9, 8, 7)) or all(
        d.kind != "milestone" for d in threshold_decisions(goal, points(9, 8, 7))
    )


def test_the_same_entries_in_any_arrival_order_give_the_same_decisions() -> None:
    goal = agreed(thresholds=(4, 6))
    series = points(3, 4, 2, 6, 5, 9)
    expected = threshold_decisions(goal, series)
    for seed in range(20):
        shuffled = series[:]
        random.Random(seed).shuffle(shuffled)
        assert threshold_decisions(goal, shuffled) == expected


def test_three_entries_each_further_from_the_target_suggest_a_review() -> None:
    goal = agreed()
    [decision] = [d for d in threshold_decisions(goal, points(6, 5, 4)) if d.kind == "review"]
    assert decision.reason is ReviewReason.WORSENING
    assert not [d for d in threshold_decisions(goal, points(6, 5, 5)) if d.kind == "review"]


def test_achievement_status_follows_fhir() -> None:
    goal = agreed(baseline=2, target=8)
    assert achievement_status(goal, []) is AchievementStatus.IN_PROGRESS
    assert achievement_status(goal, points(4)) is AchievementStatus.IMPROVING
    assert achievement_status(goal, points(4, 3)) is AchievementStatus.WORSENING
    assert achievement_status(goal, points(4, 4)) is AchievementStatus.NO_CHANGE
    assert achievement_status(goal, points(4, 8)) is AchievementStatus.ACHIEVED
    assert achievement_status(goal, points(8, 9)) is AchievementStatus.SUSTAINING


def test_summary_reports_change_percent_trend_and_gbo_reliable_change() -> None:
    goal = agreed(baseline=2, target=8)
    s = summarise(goal, points(3, 4, 5), gbo_threshold=2.45)
    assert (s.latest, s.change, s.percent_to_target, s.trend) == (5, 3, 50.0, "improving")
    assert s.reliable_change == "improvement"
    assert summarise(goal, points(4), gbo_threshold=2.45).reliable_change == "none"  # +2 is below 2.45
    assert summarise(goal, points(4), gbo_threshold=2.0).reliable_change == "improvement"  # it is a setting


def test_standard_scores_use_their_own_reliable_change() -> None:
    gad = agreed(
        direction=Direction.DECREASE,
        baseline=15,
        target=5,
        thresholds=(),
        kind=MeasureKind.STANDARD_SCORE,
        instrument=Instrument.GAD7,
        maximum=21,
    )
    assert summarise(gad, points(11), 2.45).reliable_change == "improvement"  # fell by 4
    assert summarise(gad, points(12), 2.45).reliable_change == "none"
    phq = agreed(
        direction=Direction.DECREASE,
        baseline=10,
        target=4,
        thresholds=(),
        kind=MeasureKind.STANDARD_SCORE,
        instrument=Instrument.PHQ9,
        maximum=27,
    )
    assert summarise(phq, points(16), 2.45).reliable_change == "deterioration"  # rose by 6
    count = agreed(kind=MeasureKind.COUNT_PER_PERIOD, thresholds=(), maximum=50)
    assert summarise(count, points(5), 2.45).reliable_change is None


def test_late_entry_earlier_in_time_changes_nothing_already_reached() -> None:
    goal = agreed(thresholds=(5,))
    series = points(3, 6)
    late = Point(series[0].entry_id.__class__(int=7), 5.5, T0 - timedelta(days=3))
    before = threshold_decisions(goal, series)
    after = threshold_decisions(goal, [*series, late])
    assert [d.key for d in before] == [d.key for d in after if d.kind != "review"]


def test_the_ledger_decides_as_deciding_over_every_entry_whatever_the_order_of_arrival() -> None:
    """Recording reads only the decided keys and the latest points, never the whole history: in any order of
    arrival, the keys it decides, each exactly once, and the status it ends with are those of the full series."""
    rng = random.Random(7)
    for goal in (agreed(thresholds=(4, 6, 7)), agreed(direction=Direction.DECREASE, baseline=9, target=2)):
        for values in ((3, 5, 4, 8, 7, 6, 5, 9), (6, 5, 4, 3, 8, 2, 2, 1), (2, 2, 2)):
            series = points(*values)
            expected = threshold_decisions(goal, series)
            for _ in range(20):
                arrival = rng.sample(series, len(series))
                ledger = Ledger(goal, decided=set(), latest=[])
                decided = [d for p in arrival for d in ledger.record(p)]
                assert sorted(d.key for d in decided) == sorted({d.key for d in decided})  # each once
                expected_keys = {d.key for d in expected if d.kind != "review"}
                assert {d.key for d in decided if d.kind != "review"} == expected_keys
                assert ledger.status is achievement_status(goal, series)
            # In time order, each threshold is reached by the very entry the full series names.
            ledger = Ledger(goal, decided=set(), latest=[])
            in_order = {d.key: d.entry_id for p in series for d in ledger.record(p)}
            assert {k: v for k, v in in_order.items() if not k.startswith("review")} == {
                d.key: d.entry_id for d in expected if d.kind != "review"
            }


def test_the_ledger_suggests_a_review_once_when_the_latest_entries_worsen() -> None:
    goal = agreed(thresholds=())
    ledger = Ledger(goal, decided=set(), latest=[])
    found = [d.key for p in points(6, 5, 4, 3, 2) for d in ledger.record(p)]
    assert found == ["review:worsening"]
    assert ledger.status is AchievementStatus.WORSENING
