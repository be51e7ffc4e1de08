import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import Sandbox
from accord.shared.outbox.ddl import messaging_tables_ddl

PROCESSES = Path(__file__).parent / "processes"


@pytest.fixture
async def sandbox(infra: Infra, admin_db: asyncpg.Pool) -> AsyncIterator[Sandbox]:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    async with admin_db.acquire() as conn:
        await conn.execute(f"CREATE SCHEMA {schema}")
        for statement in messaging_tables_ddl(schema):
            await conn.execute(statement)
        await conn.execute(
            f"CREATE TABLE {schema}.effects (event_id uuid NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
    dsn = infra.admin_url.rsplit("/", 1)[0] + "/accord"
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=8)
    assert pool is not None
    yield Sandbox(schema, dsn, infra.bootstrap_servers, pool)
    await pool.close()
    async with admin_db.acquire() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")


class Process:
    """A helper process (relay or consumer) the test can SIGKILL at a fault point."""

    def __init__(self, script: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PROCESSES / script)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    async def wait_for_line(self, marker: str, timeout: float = 60) -> None:
        loop = asyncio.get_running_loop()

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                if marker in line:
                    return
            raise AssertionError(f"process ended before printing {marker!r}")

        await asyncio.wait_for(loop.run_in_executor(None, read), timeout)

    def kill_9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


@pytest.fixture
def processes() -> Iterator[Any]:
    started: list[Process] = []

    def start(script: str, **env: str) -> Process:
        process = Process(script, env)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.kill_9()
