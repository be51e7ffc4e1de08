"""Session fixtures for every test suite: real Kafka and PostgreSQL.

Uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set; otherwise starts a throwaway broker and cluster from the
machine's binaries (scripts/bootstrap installs them). A server that cannot be had fails the run: never a skip.
"""

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest

# Before anything reads the settings: a developer's scripts/up leaves .accord/local/services.env behind (its own
# broker's address and credentials), which every Settings would read below the environment, so a test run after it
# sent the services to that broker. The tests' servers are given in the environment alone: neither this process nor
# a service process it starts (they inherit the environment) reads any file.
os.environ["ACCORD_LOCAL_ENV_FILE"] = ""

from accord.devtools.infra import stack
from accord.devtools.testing import TokenFactory

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def infra() -> Iterator[stack.Infra]:
    home = ROOT / ".accord" / "test" / str(os.getpid())
    try:
        servers = stack.start_servers(home)
    except Exception as exc:
        pytest.fail(f"Kafka and PostgreSQL are needed and could not be started: {exc!r}", pytrace=False)
    try:
        yield stack.prepare(servers)
    finally:
        stack.stop_servers(servers)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    """The identity provider of the test session: signs access tokens the services accept."""
    return TokenFactory()


@pytest.fixture(scope="session")
def service_env(infra: stack.Infra, tokens: TokenFactory) -> Iterator[dict[str, str]]:
    """Environment for service processes and Settings objects, applied to this process for the session."""
    env = {**infra.service_env(), **tokens.env(), "ACCORD_ENVIRONMENT": "test", "ACCORD_LOG_JSON": "true"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def backend(request: pytest.FixtureRequest) -> str:
    """A suite run twice, on a repository's in-memory fake and on PostgreSQL (the `repo` fixture of the module
    chooses by it); only the PostgreSQL run starts the servers."""
    if request.param == "postgres":
        request.getfixturevalue("service_env")
    return str(request.param)


@pytest.fixture(scope="session")
async def admin_db(infra: stack.Infra) -> AsyncIterator[asyncpg.Pool]:
    """A superuser pool on the accord database, for setting up and inspecting tests."""
    pool = await asyncpg.create_pool(infra.admin_url.rsplit("/", 1)[0] + "/accord", min_size=1, max_size=5)
    assert pool is not None
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def spans() -> "InMemorySpanExporter":
    """Every span this test process finishes. The tracer provider can be set once per process, so here only."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter
