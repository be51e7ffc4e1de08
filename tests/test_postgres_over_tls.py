"""A service reaches its database over TLS, verifying the server's certificate, as it must in production; a cluster
that requires TLS refuses a client that does not use it. On a throwaway cluster of its own."""

import asyncio
import secrets
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from accord.devtools.infra import postgres, tls
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.testing import TokenFactory
from accord.goals.bootstrap import create_api
from accord.shared import migrations

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[postgres.PostgresProcess]:
    cluster = postgres.start(tmp_path_factory.mktemp("tls") / "postgres", secrets.token_urlsafe(24), tls_only=True)
    try:
        yield cluster
    finally:
        postgres.stop(cluster.data)


def _verified(url: str, ca_file: Path) -> str:
    return f"{url}?sslmode=verify-full&sslrootcert={ca_file}"


async def test_a_service_migrates_and_serves_over_a_verified_tls_connection(
    tls_cluster: postgres.PostgresProcess,
    service_env: dict[str, str],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert tls_cluster.ca_file is not None
    admin = _verified(tls_cluster.admin_url, tls_cluster.ca_file)
    goals_url = _verified((await provision(admin, new_passwords()))["goals"], tls_cluster.ca_file)
    await asyncio.to_thread(migrations.upgrade, "goals", goals_url)
    monkeypatch.setenv("ACCORD_GOALS_DATABASE_URL", goals_url)
    app = create_api()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as api:
        served = await api.get("/episodes", headers=tokens.bearer(uuid.uuid4(), ["client"], "test-tenant"))
        conn = await asyncpg.connect(admin)
        try:
            goals_connections = await conn.fetch(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'accord_goals'"
            )
        finally:
            await conn.close()
    assert served.status_code == 200, served.text
    assert goals_connections, "the goals API holds no connection to its database"
    assert all(row["ssl"] for row in goals_connections)


async def test_a_client_without_tls_is_refused(tls_cluster: postgres.PostgresProcess) -> None:
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(f"{tls_cluster.admin_url}?sslmode=disable")


async def test_a_client_that_does_not_trust_the_servers_certificate_is_refused(
    tls_cluster: postgres.PostgresProcess, tmp_path: Path
) -> None:
    another_ca = tls.issue(tmp_path / "another").ca_file
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncpg.connect(_verified(tls_cluster.admin_url, another_ca))
