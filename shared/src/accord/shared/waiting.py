"""Waiting for a dependency that is not there yet (Kafka or PostgreSQL still starting, or away for a while) instead of
exiting: the process retries with exponential backoff, capped so that it notices soon once the dependency is back.
Errors a retry cannot mend (a refused password, a database that does not exist) are raised at once, as CannotStart."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import structlog
from aiokafka.errors import KafkaConnectionError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

log = structlog.get_logger(__name__)

T = TypeVar("T")

UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,  # connection refused, no route, name not resolved
    TimeoutError,
    KafkaConnectionError,  # "Unable to bootstrap from ..."
    asyncpg.CannotConnectNowError,  # the server is starting up or shutting down
)
"""What a later attempt may not meet: the dependency is away, not misconfigured."""


class CannotStart(Exception):
    """A dependency refused this process for a reason no retry mends (a refused password, a database that does not
    exist, a schema newer than the code): the process should end, saying why, and not be restarted in a loop. The
    dependency's own error is the cause; the message names its type and says what it said (never a password: the
    drivers do not put one in their messages)."""

    def __init__(self, dependency: str, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.dependency = dependency


Waiting = Callable[[str, str], None]
"""Told (dependency, why) before each wait: a worker's readiness shows it."""


async def connect_when_reachable(
    dependency: str,
    connect: Callable[[], Awaitable[T]],
    *,
    max_backoff_seconds: float = 30.0,
    waiting: Waiting | None = None,
) -> T:
    """`connect()`'s result once it succeeds; retried for as long as the dependency is unreachable."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        why = f"{type(error).__name__}: {error}"
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("waiting for a dependency", dependency=dependency, error=why, retry_in_seconds=round(wait, 1))
        if waiting is not None:
            waiting(dependency, type(error).__name__)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(UNREACHABLE),
        wait=wait_exponential_jitter(multiplier=0.5, max=max_backoff_seconds),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        # Attempts, not retrying(connect): tenacity calls a lambda returning a coroutine without awaiting it.
        async for attempt in retrying:
            with attempt:
                return await connect()
    except Exception as exc:  # only what UNREACHABLE does not cover gets here: retries go on for as long as it takes
        log.error("cannot connect, and retrying would not help", dependency=dependency, error=f"{exc!r}")
        raise CannotStart(dependency, exc) from exc
    raise AssertionError("tenacity stopped retrying without a stop condition")
