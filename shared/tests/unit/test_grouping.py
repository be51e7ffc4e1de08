"""Calls grouped while a batch is in flight: each caller gets its own item's result, a lone call runs at once, and a
failed batch fails only its own callers."""

import asyncio

import pytest

from accord.shared.grouping import Grouped


class Doubler:
    """Answers a batch after a short delay, like a round trip; remembers each batch; can fail the next one."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.fail_next = False

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        await asyncio.sleep(0.01)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database went away")
        return [2 * i for i in items]


async def test_each_caller_gets_its_own_items_result_and_calls_in_flight_together_share_batches() -> None:
    run = Doubler()
    grouped = Grouped(run)
    first = asyncio.create_task(grouped(0))
    await asyncio.sleep(0.001)  # its batch is in flight
    results = await asyncio.gather(*(grouped(i) for i in range(1, 40)))
    assert await first == 0 and results == [2 * i for i in range(1, 40)]
    assert run.batches == [[0], list(range(1, 40))]  # the first ran at once, alone; the rest waited and went together


async def test_a_call_made_while_the_process_is_idle_runs_at_once() -> None:
    run = Doubler()
    grouped = Grouped(run)
    assert await grouped(1) == 2
    assert await asyncio.wait_for(grouped(2), timeout=0.5) == 4
    assert run.batches == [[1], [2]]


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_is_answered() -> None:
    run = Doubler()
    grouped = Grouped(run)
    run.fail_next = True
    failing = asyncio.create_task(grouped(0))
    await asyncio.sleep(0.001)
    behind = await asyncio.gather(grouped(1), grouped(2))
    with pytest.raises(ConnectionError):
        await failing
    assert behind == [2, 4]  # the batch gathered behind the failed one was run and answered
    assert await grouped(5) == 10


async def test_a_batch_answered_with_the_wrong_number_of_results_fails_rather_than_misroutes() -> None:
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    grouped = Grouped(short)
    with pytest.raises(RuntimeError, match="1 results for a batch of 2"):
        await asyncio.gather(grouped(1), grouped(2))
