"""What the worker's own loop needs of the service's storage: `adapters.repository.Repository` on PostgreSQL, opened
by `adapters.repository.UnitOfWork`, or the tests' in-memory `InMemoryRepository` and `InMemoryUnitOfWork`
(tests/progress_fakes.py; tests/integration/test_goal_view.py holds both to one contract). The sweep is given a
unit of work that opens a repository, never a pool or a connection."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol
from uuid import UUID

from accord.progress.adapters.repository import QuietGoal
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import GoalAgreed


class ReviewStore(Protocol):
    """The review sweep's reads and writes, on one transaction; `publish` adds outbox rows to it."""

    async def quiet_goals(self) -> list[QuietGoal]: ...
    async def decide(self, goal: GoalAgreed, key: str, entry_id: UUID | None) -> bool: ...
    async def publish(self, *envelopes: Envelope) -> None: ...


UnitOfWork = Callable[[], AbstractAsyncContextManager[ReviewStore]]
"""Opens a repository in a transaction of its own (committed when the block ends, rolled back if it raises)."""
