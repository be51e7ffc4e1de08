"""Fixtures of the deployment tests: the rendered overlays, the compose file, and a database sandbox."""

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from accord.devtools.infra.stack import Infra
from accord.ops import render
from accord.shared.outbox.ddl import messaging_tables_ddl


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay as Kustomize renders it (kubectl's built-in Kustomize)."""
    return {overlay: render.render(render.K8S / "overlays" / overlay) for overlay in render.OVERLAYS}


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return render.load_compose()


@dataclass
class Sandbox:
    schema: str
    pool: asyncpg.Pool


@pytest.fixture
async def sandbox(infra: Infra, admin_db: asyncpg.Pool) -> AsyncIterator[Sandbox]:
    """A schema of its own with an inbox and an effects table, so a test consumer's rows are its own."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    async with admin_db.acquire() as conn:
        await conn.execute(f"CREATE SCHEMA {schema}")
        for statement in messaging_tables_ddl(schema):
            await conn.execute(statement)
        await conn.execute(f"CREATE TABLE {schema}.effects (event_id uuid NOT NULL)")
    pool = await asyncpg.create_pool(infra.admin_url.rsplit("/", 1)[0] + "/accord", min_size=1, max_size=4)
    assert pool is not None
    yield Sandbox(schema, pool)
    await pool.close()
    async with admin_db.acquire() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")


ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    code: int
    out: str


async def accord_ops(*args: str, env: dict[str, str] | None = None) -> Ran:
    """The operator's command line, run as an operator would: its own process."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "accord.ops",
        *args,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return Ran(proc.returncode or 0, out.decode())


@pytest.fixture
def ops() -> Any:
    return accord_ops
