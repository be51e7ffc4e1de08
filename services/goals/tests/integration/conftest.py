from collections.abc import AsyncIterator

import httpx
import pytest
from goals_api import Api

from accord.devtools.testing import TokenFactory
from accord.goals.bootstrap import create_api


@pytest.fixture(scope="session")
async def goals_http(service_env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_api()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://goals") as client:
            yield client


@pytest.fixture
def api(goals_http: httpx.AsyncClient, tokens: TokenFactory) -> Api:
    return Api(goals_http, tokens)
