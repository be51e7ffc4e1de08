"""The fault campaign's short version (bench/fault_campaign.py runs the long one): GoalPaused events written into the
goals outbox are relayed by two goals workers and consumed by two progress workers in one consumer group, while a
seeded schedule kills a worker with `kill -9` (its partner takes over, the killed one is started again), kills and
restarts the broker, and crashes and restarts PostgreSQL. Afterwards every event written is in the progress inbox
exactly once, the outbox is drained, no worker gave up by itself, and the dead-letter topic holds each of three
poison messages (records nobody can decode, slipped into the outbox) once; on the
topic, nothing that was not written and no event more than twice (a relay killed, or cut off from its broker or
database, between Kafka's ack and marking its batch sent publishes that batch again: only the inbox promises once).
This is also the scale-out test: two instances of each worker in one group, one killed while events flow and
started again (two rebalances), the other taking over.

On a secured broker and a PostgreSQL cluster of the campaign's own: the session's are left alone."""

from pathlib import Path

import pytest

from accord.devtools.faults import schedule
from accord.devtools.faults.campaign import Options, run

pytestmark = pytest.mark.integration

EVENTS = 2_000
"""The issue asks for 20,000 events and 10 faults; setting up the servers and four workers, and the three faults'
recoveries, already take most of the minute this test may have on two shared cores (see docs/benchmarks.md)."""


async def test_events_written_through_worker_kills_and_broker_and_database_crashes_are_each_consumed_once(
    tmp_path: Path,
) -> None:
    options = Options(EVENTS, 3, seed=7, home=tmp_path, instances=2, services=["goals", "progress"], batch=100)
    options.poison = 3  # each dead-lettered once by the group, even when a relay publishes it twice
    options.read_topic = True
    kinds = {f.kind for f in schedule.draw(EVENTS, 3, 7, options.services, 2)}
    assert kinds == {schedule.WORKER_KILL, schedule.BROKER_KILL, schedule.DATABASE_CRASH}

    result = await run(options)

    assert result.problems() == [], result.summary()
    assert result.counts.missing == {"progress.inbox (progress)": 0}
    assert result.counts.out_of_order == {"progress.inbox (progress)": 0}  # each client's events in written order
    assert result.counts.consumed == {"progress": result.counts.written}
    assert result.counts.strangers == 0
    assert (result.counts.poison, result.counts.dead_letters) == (3, {"accord.progress.dlq.v1": 3})
    assert result.counts.most_copies in (1, 2)
    assert {i.fault.kind for i in result.injected} == kinds
