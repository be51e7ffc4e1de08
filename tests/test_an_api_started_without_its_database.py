"""An API started while its database is unreachable listens at once: `/health` answers 200 and `/ready` (and its
routes) 503 while it waits with backoff, and it serves once the database comes up, without a restart. It exits, with
a clear message and a non-zero status, only on what no retry mends: a refused password, a schema newer than its code,
settings it cannot run with. On a throwaway cluster of its own, so the session's cluster is left alone."""

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from accord.devtools.infra import postgres
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.testing import TokenFactory
from accord.goals.bootstrap import create_api
from accord.shared import migrations
from accord.shared.web_cli import EXIT_CANNOT_START

pytestmark = pytest.mark.integration


@dataclass
class Database:
    cluster: postgres.PostgresProcess
    goals_url: str


@pytest.fixture
async def own_database(service_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Database]:
    cluster = await asyncio.to_thread(postgres.start, tmp_path / "postgres", secrets.token_urlsafe(24))
    try:
        url = (await provision(cluster.admin_url, new_passwords()))["goals"]
        await asyncio.to_thread(migrations.upgrade, "goals", url)
        yield Database(cluster, url)
    finally:
        await asyncio.to_thread(postgres.stop, cluster.data)


async def _until_ready(api: httpx.AsyncClient) -> httpx.Response:
    while (ready := await api.get("/ready")).status_code != 200:
        await asyncio.sleep(0.2)
    return ready


async def test_an_api_started_while_its_database_is_down_answers_not_ready_then_serves_once_it_is_up(
    own_database: Database, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_GOALS_DATABASE_URL", own_database.goals_url)
    await asyncio.to_thread(postgres.stop, own_database.cluster.data)
    headers = tokens.bearer(uuid.uuid4(), ["client"], "test-tenant")
    app = create_api()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as api:
        health = await api.get("/health")
        not_ready = await api.get("/ready")
        route = await api.get("/episodes", headers=headers)
        await asyncio.to_thread(postgres.start_again, own_database.cluster.data)
        ready = await asyncio.wait_for(_until_ready(api), 120)  # a guard against a hang, not a measure of speed
        served = await api.get("/episodes", headers=headers)
    assert health.status_code == 200
    assert not_ready.status_code == 503
    assert not_ready.headers["content-type"] == "application/problem+json"
    assert route.status_code == 503, route.text
    assert route.headers["retry-after"]
    assert ready.json() == {"status": "ready"}
    assert served.status_code == 200, served.text


def _api(env: dict[str, str], command: tuple[str, ...] = ("api", "--port")) -> subprocess.CompletedProcess[str]:
    """`accord-goals api` (or another command) run to its end (a guard of two minutes against a process that would
    wait forever)."""
    argv = ["accord-goals", *command] + ([str(free_port())] if command[-1] == "--port" else [])
    return subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.split(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.netloc.split('@')[1]}"))


async def test_an_api_whose_password_is_refused_exits_at_once_saying_so(own_database: Database) -> None:
    wrong = _with_password(own_database.goals_url, "not-the-password")
    ended = await asyncio.to_thread(_api, {"ACCORD_GOALS_DATABASE_URL": wrong})
    assert ended.returncode == EXIT_CANNOT_START, ended.stderr
    assert "goals api cannot start: InvalidPasswordError" in ended.stderr
    assert "not-the-password" not in ended.stderr + ended.stdout


async def test_a_worker_whose_password_is_refused_exits_at_once_saying_so_and_is_not_restarted(
    own_database: Database,
) -> None:
    wrong = _with_password(own_database.goals_url, "not-the-password")
    ended = await asyncio.to_thread(_api, {"ACCORD_GOALS_DATABASE_URL": wrong}, ("worker",))
    # EX_CONFIG, not 1: the local supervisor (and an operator) reads it as "restarting will not help".
    assert ended.returncode == EXIT_CANNOT_START, ended.stderr
    assert "goals worker cannot start: InvalidPasswordError" in ended.stderr
    assert "not-the-password" not in ended.stderr + ended.stdout


async def test_an_api_on_a_schema_newer_than_its_code_exits_at_once_saying_so(own_database: Database) -> None:
    conn = await asyncpg.connect(own_database.goals_url)
    try:
        await conn.execute("UPDATE goals.alembic_version SET version_num = '9999'")
    finally:
        await conn.close()
    ended = await asyncio.to_thread(_api, {"ACCORD_GOALS_DATABASE_URL": own_database.goals_url})
    assert ended.returncode == EXIT_CANNOT_START, ended.stderr
    assert "SchemaNewerThanCode: the goals schema is at revision 9999, which this code does not know" in ended.stderr


def _stale_local_env_file(folder: Path) -> Path:
    """What `scripts/up` leaves behind on a developer's machine: a database that is no longer there (a process given
    it would wait for it, with backoff, for ever)."""
    stale = folder / ".accord" / "local" / "services.env"
    stale.parent.mkdir(parents=True)
    stale.write_text(
        f"ACCORD_GOALS_DATABASE_URL=postgresql://accord_goals:stale-pw@127.0.0.1:{free_port()}/accord\n"
        "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092\nACCORD_OIDC_ISSUER=https://id.example\n"
        'ACCORD_OIDC_JWKS={"keys": []}\n'
    )
    return stale


def _without_database_setting() -> dict[str, str]:
    drop = ("ACCORD_GOALS_DATABASE_URL", "DATABASE_URL", "ACCORD_LOCAL_ENV_FILE")
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_the_settings_read_the_local_env_file_that_accord_local_env_file_names(tmp_path: Path) -> None:
    stale = _stale_local_env_file(tmp_path)
    read = "from accord.goals.settings import Settings; print(Settings().database_url.get_secret_value())"
    env = {**_without_database_setting(), "ACCORD_LOCAL_ENV_FILE": str(stale)}
    shown = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, timeout=60)
    assert ":stale-pw@" in shown.stdout, shown.stderr


async def test_an_api_without_its_database_setting_exits_at_once_naming_it(tmp_path: Path) -> None:
    # Not the local stack's services.env, which a developer's machine may hold with a database long gone: none.
    _stale_local_env_file(tmp_path)
    env = {**_without_database_setting(), "ACCORD_LOCAL_ENV_FILE": ""}
    argv = ["accord-goals", "api", "--port", str(free_port())]
    ended = await asyncio.to_thread(
        subprocess.run, argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ended.returncode != 0
    assert "database_url" in ended.stderr.lower()
