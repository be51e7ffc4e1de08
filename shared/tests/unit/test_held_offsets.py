"""While events flow, a consumer commits its batches' offsets at most once an interval; after a quiet spell at once."""

import asyncio
from typing import Any

import pytest
from aiokafka import TopicPartition
from structlog.testing import capture_logs

from accord.shared.inbox.offsets import HeldOffsets

A, B, C = (TopicPartition("accord.progress.v1", p) for p in range(3))


class FakeConsumer:
    """aiokafka's consumer as HeldOffsets uses it: its assignment, and commits of explicit offsets."""

    def __init__(self, *assigned: TopicPartition, commit_takes: float = 0.0) -> None:
        self.assigned, self.commit_takes = set(assigned), commit_takes
        self.commits: list[dict[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await asyncio.sleep(self.commit_takes)
        self.commits.append(dict(offsets))


def held(interval: float = 0.2, timeout: float = 1.0) -> tuple[HeldOffsets, list[str]]:
    wedged: list[str] = []
    return HeldOffsets(interval, timeout, lambda: wedged.append("restart"), "test"), wedged


async def test_a_batch_after_a_quiet_spell_is_committed_at_once() -> None:
    offsets, _ = held()
    consumer = FakeConsumer(A, B)
    await offsets.applied(consumer, {A: 5}, flowing=False)
    assert consumer.commits == [{A: 5}]
    await offsets.applied(consumer, {B: 2}, flowing=False)
    assert consumer.commits == [{A: 5}, {B: 2}]


async def test_flowing_batches_within_the_interval_are_committed_together_once_it_has_passed() -> None:
    offsets, _ = held(interval=0.2)
    consumer = FakeConsumer(A, B)
    await offsets.applied(consumer, {A: 5}, flowing=False)  # opens the interval
    await offsets.applied(consumer, {A: 7, B: 1}, flowing=True)
    await offsets.applied(consumer, {A: 6, B: 3}, flowing=True)  # A's 6 is behind 7: the furthest is kept
    assert consumer.commits == [{A: 5}]  # held, with no further batch needed to commit them
    await asyncio.sleep(0.3)
    assert consumer.commits == [{A: 5}, {A: 7, B: 3}]


async def test_a_flowing_batch_after_the_interval_is_committed_at_once() -> None:
    offsets, _ = held(interval=0.05)
    consumer = FakeConsumer(A)
    await offsets.applied(consumer, {A: 5}, flowing=False)
    await asyncio.sleep(0.08)
    await offsets.applied(consumer, {A: 9}, flowing=True)
    assert consumer.commits == [{A: 5}, {A: 9}]


async def test_partitions_taken_away_in_a_rebalance_are_left_out_of_the_commit() -> None:
    offsets, _ = held(interval=0.1)
    consumer = FakeConsumer(A, B, C)
    await offsets.applied(consumer, {A: 1}, flowing=False)
    await offsets.applied(consumer, {B: 4, C: 2}, flowing=True)
    consumer.assigned = {A, C}  # B went to another member, which is handed its events again
    await asyncio.sleep(0.15)
    assert consumer.commits == [{A: 1}, {C: 2}]


async def test_offsets_held_for_a_consumer_started_again_are_not_committed_by_the_new_one() -> None:
    offsets, _ = held(interval=0.1)
    first, second = FakeConsumer(A, B), FakeConsumer(A, B)
    await offsets.applied(first, {A: 1}, flowing=False)
    await offsets.applied(first, {A: 8}, flowing=True)  # held when the consumer was started again
    await offsets.applied(second, {B: 3}, flowing=True)
    await asyncio.sleep(0.15)
    assert first.commits == [{A: 1}]
    assert second.commits == [{B: 3}]


async def test_a_commit_made_now_that_outlives_the_timeout_raises_for_the_batch_to_restart_the_consumer() -> None:
    offsets, wedged = held(timeout=0.05)
    with pytest.raises(TimeoutError):
        await offsets.applied(FakeConsumer(A, commit_takes=1.0), {A: 1}, flowing=False)
    assert wedged == []  # the batch's own handler restarts it (subscriber.on_events)


async def test_a_held_commit_that_outlives_the_timeout_restarts_the_consumer() -> None:
    offsets, wedged = held(interval=0.05, timeout=0.05)
    consumer: Any = FakeConsumer(A)
    await offsets.applied(consumer, {A: 1}, flowing=False)
    consumer.commit_takes = 1.0
    await offsets.applied(consumer, {A: 2}, flowing=True)
    await asyncio.sleep(0.2)
    assert wedged == ["restart"]


class RefusingConsumer(FakeConsumer):
    """A consumer whose commits, once `refusing`, fail with an error that is not Kafka's (a bug, say)."""

    refusing = False

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.refusing:
            raise RuntimeError("Jane Doe, anxious about the school run")
        await super().commit(offsets)


async def test_a_held_commit_that_fails_unexpectedly_is_logged_without_its_message_and_its_task_ends_cleanly() -> None:
    offsets, wedged = held(interval=0.05)
    consumer = RefusingConsumer(A)
    await offsets.applied(consumer, {A: 1}, flowing=False)
    consumer.refusing = True
    with capture_logs() as logs:
        await offsets.applied(consumer, {A: 2}, flowing=True)
        due = offsets._due
        assert due is not None
        await asyncio.wait({due}, timeout=1)
    assert due.done() and due.exception() is None  # not left for asyncio's "Task exception was never retrieved"
    assert logs == [
        {"event": "held offsets not committed", "group": "test", "error": "RuntimeError", "log_level": "warning"}
    ]
    assert wedged == []


async def test_a_graceful_stop_commits_what_is_held_and_then_every_batch_that_ends_at_once() -> None:
    offsets, _ = held(interval=10.0)
    consumer = FakeConsumer(A, B)
    await offsets.applied(consumer, {A: 1}, flowing=False)
    await offsets.applied(consumer, {A: 4}, flowing=True)
    await offsets.release()
    assert consumer.commits == [{A: 1}, {A: 4}]
    await offsets.applied(consumer, {B: 2}, flowing=True)  # the batch that was being applied when the stop began
    assert consumer.commits == [{A: 1}, {A: 4}, {B: 2}]


async def test_a_commit_on_a_graceful_stop_that_fails_or_outlives_the_timeout_is_only_logged() -> None:
    errors = []
    for refusing, commit_takes in ((True, 0.0), (False, 1.0)):
        offsets, wedged = held(interval=10.0, timeout=30.0)
        consumer = RefusingConsumer(A)
        await offsets.applied(consumer, {A: 1}, flowing=False)
        await offsets.applied(consumer, {A: 2}, flowing=True)
        consumer.refusing, consumer.commit_takes = refusing, commit_takes
        with capture_logs() as logs:
            await offsets.release(within=0.05)  # the stop's grace, not the 30 s commit timeout
        assert [entry["event"] for entry in logs] == ["held offsets not committed on stop"]
        assert wedged == []  # a stopping consumer is not started again
        errors.append(logs[0]["error"])
    assert errors == ["RuntimeError", "TimeoutError"]
