"""Compose's PostgreSQL init script, run on a fresh PostgreSQL cluster as the postgres image would run it: every
service gets a role that owns its schema, can run its migrations there, and can use nothing else."""

import asyncio
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from accord.devtools.infra import postgres
from accord.shared import migrations
from accord.shared.services import SERVICES

pytestmark = pytest.mark.integration
SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "compose" / "postgres-init.sh"


@pytest.fixture(scope="module")
def fresh_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[postgres.PostgresProcess]:
    cluster = postgres.start(tmp_path_factory.mktemp("compose-postgres"), secrets.token_urlsafe(16))
    yield cluster
    postgres.stop(cluster.data)


def _connection(cluster: postgres.PostgresProcess) -> dict[str, str]:
    """What the postgres image's entrypoint gives its init scripts: the superuser, and a server to talk to."""
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_DB_PASSWORD")}
    return {**clean, "POSTGRES_USER": cluster.superuser, "PGHOST": "127.0.0.1", "PGPORT": str(cluster.port),
            "PGPASSWORD": cluster.password, "PGUSER": cluster.superuser}  # fmt: skip


def _databases(cluster: postgres.PostgresProcess) -> str:
    listing = subprocess.run(["psql", "-Atc", "SELECT datname FROM pg_database", "-d", "postgres"],
                             env=_connection(cluster), capture_output=True, text=True, check=True)  # fmt: skip
    return listing.stdout


def test_the_init_script_changes_nothing_without_every_password(fresh_cluster: postgres.PostgresProcess) -> None:
    env = {**_connection(fresh_cluster), "ACCORD_REPORTING_DB_PASSWORD": "only-one-of-four"}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "ACCORD_GOALS_DB_PASSWORD must be set" in done.stderr
    assert "accord" not in _databases(fresh_cluster)


async def test_the_init_script_gives_each_service_its_own_schema_and_role(
    fresh_cluster: postgres.PostgresProcess,
) -> None:
    passwords = {s: secrets.token_urlsafe(18) for s in SERVICES}
    env = {**_connection(fresh_cluster), **{f"ACCORD_{s.upper()}_DB_PASSWORD": p for s, p in passwords.items()}}
    await asyncio.to_thread(subprocess.run, ["bash", str(SCRIPT)], env=env, check=True, capture_output=True)

    url = f"postgresql://accord_goals:{passwords['goals']}@127.0.0.1:{fresh_cluster.port}/accord"
    migrations.upgrade("goals", url)  # as compose's setup step does, as the service's own role
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM goals.outbox") == 0
        for elsewhere in ("progress", "public"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE TABLE {elsewhere}.intruder (id int)")
    finally:
        await conn.close()
