from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from accord.shared.settings import ServiceSettings

Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection, whether held directly or borrowed from a pool."""


async def create_pool(settings: ServiceSettings, **overrides: int) -> asyncpg.Pool:
    """A pool of the service's own role, with its own schema first on the search path."""
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(),
        min_size=overrides.get("min_size", settings.db_pool_min),
        max_size=overrides.get("max_size", settings.db_pool_max),
        server_settings={"search_path": settings.db_schema, "application_name": f"accord-{settings.service}"},
    )
    assert pool is not None
    return pool
