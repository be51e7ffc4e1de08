"""The fault campaign's schedule (accord.devtools.faults.schedule): drawn from a seed, spread over the run, every kind
of fault in a run that has room for each."""

from accord.devtools.faults import schedule

SERVICES = ["goals", "progress", "notifications", "reporting"]


def test_the_same_seed_draws_the_same_schedule_and_another_seed_another() -> None:
    assert schedule.draw(100_000, 20, 3, SERVICES, 3) == schedule.draw(100_000, 20, 3, SERVICES, 3)
    assert schedule.draw(100_000, 20, 3, SERVICES, 3) != schedule.draw(100_000, 20, 4, SERVICES, 3)


def test_faults_come_one_in_each_slice_of_the_run_in_order_and_inside_it() -> None:
    drawn = schedule.draw(1_000_000, 100, 1, SERVICES, 3)
    width = 1_000_000 / 101
    assert all(width * (i + 0.5) <= f.at_event <= width * (i + 1.5) for i, f in enumerate(drawn))
    assert [f.at_event for f in drawn] == sorted(f.at_event for f in drawn)
    assert all(0 < f.at_event < 1_000_000 for f in drawn)


def test_a_run_with_room_for_every_kind_has_each_equally_often_and_worker_faults_name_a_worker() -> None:
    drawn = schedule.draw(1_000_000, 100, 1, SERVICES, 3)
    assert {kind: sum(f.kind == kind for f in drawn) for kind in schedule.KINDS} == dict.fromkeys(schedule.KINDS, 20)
    for fault in drawn:
        if fault.kind in schedule.ON_A_WORKER:
            assert fault.service in SERVICES and 0 <= fault.instance < 3
        else:
            assert fault.service == ""
