from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from accord.shared.settings import ServiceSettings

Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection, whether held directly or borrowed from a pool."""

Pool: TypeAlias = asyncpg.Pool
"""A pool of the service's connections (for code that opens its own transactions, without importing the driver)."""


R = TypeVar("R")


class UnitOfWork(Generic[R]):
    """`async with uow() as repo:` a service's repository, made by `repository` on a pooled connection, in a
    transaction committed on leaving the block (rolled back if it raises): what a worker's own loops run in."""

    def __init__(self, pool: Pool, repository: Callable[[Connection], R]) -> None:
        self.pool, self.repository = pool, repository

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[R]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield self.repository(conn)


async def _keep_session(conn: "asyncpg.Connection[Any]") -> None:
    """Nothing to undo on release. asyncpg's default reset (unlock advisory locks, close cursors, UNLISTEN, RESET
    ALL) is a round trip on every release; the services hold no session state: advisory locks are transaction-scoped,
    cursors live in transactions, listeners UNLISTEN before they release, and settings are fixed at connect. An open
    transaction is still rolled back by the pool before this runs."""


async def create_pool(settings: ServiceSettings, **overrides: int) -> asyncpg.Pool:
    """A pool of the service's own role, with its own schema first on the search path."""
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(),
        min_size=overrides.get("min_size", settings.db_pool_min),
        max_size=overrides.get("max_size", settings.db_pool_max),
        server_settings={"search_path": settings.db_schema, "application_name": f"accord-{settings.service}"},
        reset=_keep_session,
    )
    assert pool is not None
    return pool
