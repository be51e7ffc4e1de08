"""The gateway is only a front door: it starts, answers and reports itself ready with no database and no Kafka
anywhere in its environment, and its code does not even load a database or Kafka client."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from uuid import uuid4

import pytest
from gateway_harness import StandIn, gateway

from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def front_door_env(tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Only what the gateway reads: the token issuer and the environment. No database URL, no Kafka address."""
    for name in list(os.environ):
        if name in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL") or name.endswith("_DATABASE_URL"):
            monkeypatch.delenv(name)
    for name, value in {**tokens.env(), "ACCORD_ENVIRONMENT": "test"}.items():
        monkeypatch.setenv(name, value)
    yield monkeypatch


def stand_ins() -> dict[str, StandIn]:
    return {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}


async def test_the_gateway_serves_and_is_ready_without_any_database_or_kafka_setting(
    front_door_env: pytest.MonkeyPatch, tokens: TokenFactory
) -> None:
    services = stand_ins()
    async with gateway(services) as gw:
        ready = await gw.get("/ready")
        answer = await gw.get("/api/v1/goals/abc", headers=tokens.bearer(uuid4(), ["client"], "tenant-a"))
    assert ready.status_code == 200, ready.text
    assert answer.status_code == 200 and answer.json()["service"] == "goals"


async def test_the_gateway_is_not_ready_while_its_shared_rate_limit_store_does_not_answer(
    front_door_env: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as closed:  # bound, never listening: every connection to it is refused
        closed.bind(("127.0.0.1", 0))
        front_door_env.setenv("ACCORD_GATEWAY_REDIS_URL", f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
        async with gateway(stand_ins()) as gw:
            ready = await gw.get("/ready")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"


def test_the_gateway_loads_no_database_or_kafka_client() -> None:
    probe = (
        "import sys\n"
        "import accord.gateway.bootstrap, accord.gateway.entrypoints.cli\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'asyncpg', 'aiokafka', 'faststream', 'sqlalchemy', 'alembic', 'psycopg'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
