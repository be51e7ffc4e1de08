"""A process waits for a dependency that is away, and gives up at once on one a retry cannot mend."""

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError

from accord.shared.waiting import CannotStart, connect_when_reachable


async def test_an_unreachable_dependency_is_waited_for_and_each_wait_is_reported() -> None:
    attempts: list[int] = []
    waits: list[tuple[str, str]] = []

    async def connect() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 1)]")
        return "connected"

    result = await connect_when_reachable("kafka", connect, max_backoff_seconds=0.1, waiting=lambda *w: waits.append(w))
    assert result == "connected"
    assert waits == [("kafka", "KafkaConnectionError")] * 2


async def test_a_refused_password_is_not_retried() -> None:
    attempts: list[int] = []

    async def connect() -> None:
        attempts.append(1)
        raise asyncpg.InvalidPasswordError('password authentication failed for user "goals"')

    with pytest.raises(CannotStart, match=r"^InvalidPasswordError: password authentication failed") as refused:
        await connect_when_reachable("database", connect, max_backoff_seconds=0.1)
    assert len(attempts) == 1
    assert isinstance(refused.value.__cause__, asyncpg.InvalidPasswordError)
    assert refused.value.dependency == "database"
