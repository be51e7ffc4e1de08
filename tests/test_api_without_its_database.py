"""An API whose database goes away answers 503 problem+json (not 500, not a hang) and recovers by itself once the
database is back, without a restart. On a throwaway cluster of its own, so the session's cluster is left alone."""

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from accord.devtools.infra import postgres
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.testing import TokenFactory
from accord.goals.bootstrap import create_api
from accord.shared import migrations

pytestmark = pytest.mark.integration


@pytest.fixture
async def own_database(tmp_path: Path) -> AsyncIterator[postgres.PostgresProcess]:
    cluster = await asyncio.to_thread(postgres.start, tmp_path / "postgres", secrets.token_urlsafe(24))
    try:
        yield cluster
    finally:
        await asyncio.to_thread(postgres.stop, cluster.data)


async def test_an_api_answers_503_while_its_database_is_away_and_recovers_by_itself(
    service_env: dict[str, str],
    tokens: TokenFactory,
    own_database: postgres.PostgresProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = (await provision(own_database.admin_url, new_passwords()))["goals"]
    await asyncio.to_thread(migrations.upgrade, "goals", url)
    monkeypatch.setenv("ACCORD_GOALS_DATABASE_URL", url)
    headers = tokens.bearer(uuid.uuid4(), ["client"], "test-tenant")
    app = create_api()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://s") as api:
        before = await api.get("/episodes", headers=headers)
        await asyncio.to_thread(postgres.stop, own_database.data, "immediate")
        away = [await api.get("/episodes", headers=headers) for _ in range(3)]  # broken connections, then refused
        await asyncio.to_thread(postgres.start_again, own_database.data)
        back = await api.get("/episodes", headers=headers)
    assert before.status_code == 200, before.text
    assert [r.status_code for r in away] == [503, 503, 503]
    assert {r.headers["content-type"] for r in away} == {"application/problem+json"}
    assert away[0].json()["status"] == 503
    assert back.status_code == 200, back.text
