"""The fault campaign's short version (bench/fault_campaign.py runs the long one): a care episode and an agreed goal
per client set up through the goals service's own command handlers, then GBO ratings recorded in batches through the
progress service's own batch handler (its entry rows, decisions, audit rows and events in one transaction each),
relayed by two progress workers and consumed by a goals worker (which also relays the set-up), a notifications and a
reporting worker, while a seeded schedule kills a progress worker with `kill -9`, kills and restarts the broker, and
crashes and restarts PostgreSQL. Afterwards every entry was recorded once with its event, every event is in every
consuming group's inbox exactly once (in each client's order), each milestone or target reached put exactly one
celebration in the client's notification inbox (and, by e-mail, at the campaign's mail sink: to the client unless
they chose no e-mail, an update to their therapist), each entry and decision has exactly one reporting row and one
analytics event, each in-app message one outcome row in reporting, no worker gave up by itself, and every dead-letter
topic holds each of three poison messages (records nobody can decode, slipped into the outbox) once per consumer
group; on the topic, nothing that was not written and no event more than twice (a relay killed, or cut off from its
broker or database, between Kafka's ack and marking its batch sent publishes that batch again: only the inbox
promises once). This is also the scale-out test: two progress workers in one group (relays and consumers), one
killed while events flow and started again (two rebalances), the other taking over.

On a secured broker and a PostgreSQL cluster of the campaign's own: the session's are left alone."""

from pathlib import Path

import pytest

from accord.devtools.faults import effects, schedule
from accord.devtools.faults.campaign import Options, run

pytestmark = pytest.mark.integration

ENTRIES = 2_000
"""The issue asks for 20,000 events and 10 faults; setting up the servers and five workers, and the three faults'
recoveries, already take most of the minute this test may have on two shared cores (see docs/reliability.md)."""
SERVICES = ["progress", "goals", "notifications", "reporting"]


async def test_ratings_recorded_through_the_progress_service_under_faults_have_each_effect_exactly_once(
    tmp_path: Path,
) -> None:
    options = Options(ENTRIES, 3, seed=7, home=tmp_path, instances=2, services=SERVICES, batch=100, clients=20)
    # Two progress workers (the relays: the scale-out case), one of each consumer: each start costs seconds here.
    options.single = ("goals", "notifications", "reporting")
    options.poison = 3  # each dead-lettered once by every group, even when a relay publishes it twice
    options.read_topic = True
    # Three faults may happen to cut no relay or consumer between its commit and its ack (a quiet CI run once had
    # none): the long campaign requires duplicates absorbed, the short one checks that each worker reports its count.
    options.require_duplicates = False
    drawn = schedule.draw(ENTRIES, 3, 7, ["progress"], 2)
    kinds = {f.kind for f in drawn}
    assert kinds == {schedule.WORKER_KILL, schedule.BROKER_KILL, schedule.DATABASE_CRASH}
    assert {f.service for f in drawn if f.kind == schedule.WORKER_KILL} == {"progress"}

    result = await run(options)

    assert result.problems() == [], result.summary()
    counts = result.counts
    assert counts.entries == ENTRIES
    assert counts.by_type["GoalRatingRecorded"] == ENTRIES
    assert counts.by_type["MilestoneReached"] > 0 and counts.by_type["GoalTargetReached"] > 0
    assert set(counts.missing) >= {e.name for e in effects.EFFECTS}  # every effect was counted (and none lost)
    assert set(counts.out_of_order) == {
        "notifications.inbox (notifications)",
        "reporting.inbox (reporting)",
        "reporting.inbox (reporting-analytics)",
    }
    assert counts.consumed["reporting.inbox (reporting)"] == counts.written
    assert counts.strangers == 0
    assert counts.poison == 3
    assert counts.dead_letters == {
        "accord.goals.dlq.v1": 3,
        "accord.notifications.dlq.v1": 3,
        "accord.reporting.dlq.v1": 6,
    }
    assert counts.most_copies in (1, 2)
    assert set(result.absorbed) == {"progress", "goals", "notifications", "reporting"}  # each worker's own count
    mail = result.mail  # every address confirmed by its link; each due e-mail at the mail sink once per Message-ID
    assert mail is not None and mail.confirmations == 22  # 20 clients and their 2 therapists
    assert mail.due > 0 and mail.received == mail.sent == mail.due
    assert {i.fault.kind for i in result.injected} == kinds
