"""The reporting API, in this process, for every integration test that asks for `client`."""

from collections.abc import AsyncIterator

import httpx
import pytest
from reporting_live import api


@pytest.fixture
async def client(service_env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with api() as c:
        yield c
