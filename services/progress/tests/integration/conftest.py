from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from progress_world import Api, CareTeam, Worker

from accord.devtools.testing import TokenFactory
from accord.progress.bootstrap import create_api


@pytest.fixture(scope="session")
async def progress_app(service_env: dict[str, str]) -> AsyncIterator[FastAPI]:
    app = create_api()
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def progress_http(progress_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=progress_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://progress") as client:
        yield client


# Per module, not per session: a worker kept for the session stayed a member of the `progress` consumer group while
# later tests ran, and the end-to-end stack's progress worker then shared the group with it (rebalances whenever
# this process's event loop stopped and started, events held back past the tests' waits).
@pytest.fixture(scope="module")
async def worker(service_env: dict[str, str]) -> AsyncIterator[Worker]:
    w = Worker()
    w.start()
    yield w
    await w.halt()


@pytest.fixture
def team() -> CareTeam:
    return CareTeam()


@pytest.fixture
def api(progress_http: httpx.AsyncClient, tokens: TokenFactory, team: CareTeam, worker: Worker) -> Api:
    return Api(progress_http, tokens, team)
