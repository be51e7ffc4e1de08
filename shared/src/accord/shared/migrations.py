"""Alembic, run the same way for every service: its own role, its version table inside its own schema."""

import asyncio
import threading
from typing import Any

import asyncpg
from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _async_url(database_url: str) -> str:
    return database_url.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
        "postgres://", "postgresql+asyncpg://", 1
    )


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"accord.{service}:migrations")
    config.set_main_option("sqlalchemy.url", _async_url(database_url).replace("%", "%%"))
    config.attributes["schema"] = service
    config.attributes["database_url"] = database_url
    return config


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    """Applies the service's migrations. Alembic's env runs its own event loop, hence the thread."""
    _in_thread(command.upgrade, alembic_config(service, database_url), revision)


def downgrade(service: str, database_url: str, revision: str) -> None:
    _in_thread(command.downgrade, alembic_config(service, database_url), revision)


def _in_thread(fn: Any, *args: Any) -> None:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def run_env() -> None:
    """The body of every service's migrations/env.py."""
    config = context.config
    schema = config.attributes["schema"]

    def run(connection: Connection) -> None:
        context.configure(connection=connection, version_table_schema=schema, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations(schema=schema)

    async def main() -> None:
        url = config.attributes["database_url"]

        async def connect() -> asyncpg.Connection:
            # asyncpg reads the URL's libpq parameters (sslmode, sslrootcert) itself; SQLAlchemy's dialect would pass
            # them on as keyword arguments asyncpg does not take, so a database reached over TLS could not migrate.
            return await asyncpg.connect(url, server_settings={"search_path": schema})

        engine = create_async_engine(
            config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool, async_creator=connect
        )
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())


class SchemaNewerThanCode(Exception):
    """The database's schema was migrated by a newer release than this code: running on it could corrupt data."""


async def check_schema_known(conn: Any, service: str, schema: str) -> None:
    """Raises SchemaNewerThanCode when the schema's recorded revision is not one of this code's migrations. A schema
    not migrated yet passes: `migrate` may still be on its way (a deployment's job)."""
    try:
        versions = [row[0] for row in await conn.fetch(f'SELECT version_num FROM "{schema}".alembic_version')]
    except asyncpg.UndefinedTableError:
        return
    config = Config()
    config.set_main_option("script_location", f"accord.{service}:migrations")
    scripts = ScriptDirectory.from_config(config)
    for version in versions:
        try:
            known = scripts.get_revision(version) is not None
        except CommandError:
            known = False
        if not known:
            heads = ", ".join(scripts.get_heads())
            raise SchemaNewerThanCode(
                f"the {schema} schema is at revision {version}, which this code does not know (its newest is {heads}): "
                "run the release that migrated it, or a newer one"
            )
