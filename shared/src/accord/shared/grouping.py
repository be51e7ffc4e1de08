"""Calls that arrive while one batch of them is in flight wait and go together in the next batch: a lone call runs
at once (no timer, no added wait when a process is idle), and a busy process sends one statement per batch rather
than one per call. What the read path uses to store audit rows (`ReadAudit`) and to look goals up with the
caller's role (the progress read)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Grouped(Generic[T, R]):
    """`await grouped(item)`: the result `run` gave for `item`, run together with the items that arrived while the
    batch before it was in flight. `run` answers a batch with one result per item, in order. If it raises, every
    caller in that batch gets the exception: none is answered with another's result or with none."""

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._run = run
        self._pending: list[T] = []
        self._next: asyncio.Future[list[R]] | None = None  # resolved with the pending items' results
        self._running = False
        self._drainer: asyncio.Task[None] | None = None  # held: the loop keeps only a weak reference to a task

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        if self._next is None:
            self._next = loop.create_future()
        batch, index = self._next, len(self._pending)
        self._pending.append(item)
        if not self._running:
            self._running = True
            self._drainer = loop.create_task(self._drain())
        results = await asyncio.shield(batch)  # a caller that gives up must not cancel the others' batch
        return results[index]

    async def _drain(self) -> None:
        try:
            while self._pending:
                items, self._pending = self._pending, []
                batch, self._next = self._next, None
                assert batch is not None
                try:
                    results = await self._run(items)
                except Exception as exc:
                    batch.set_exception(exc)
                    batch.exception()  # retrieved here too: a batch whose callers all gave up logs no warning
                else:
                    if len(results) != len(items):
                        batch.set_exception(RuntimeError(f"{len(results)} results for a batch of {len(items)}"))
                    else:
                        batch.set_result(results)
        finally:
            self._running = False
