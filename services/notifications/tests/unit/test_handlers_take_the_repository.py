"""The notifications handlers are given the repository (or a unit of work that opens one), never a connection or
the pool. Two modules wire them: `handlers/__init__.py`, where the inbox hands over its connection, wraps it in the
repository; the dispatcher loop (`dispatcher.py`) is given the pool, makes the unit of work of it and listens for
wake-ups on it, and opens no transaction itself."""

import ast
from pathlib import Path

import pytest

import accord.notifications.handlers as handlers

WIRING = {"__init__.py", "dispatcher.py"}
MODULES = sorted(Path(handlers.__file__).parent.glob("*.py"))


def connection_use(source: str) -> list[str]:
    """Each place that names the database connection or pool, or acquires from one, as `line: what`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "accord.shared.db":
            found += [f"{node.lineno}: imports {a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute) and node.attr in {"acquire", "transaction"}:
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_there_are_handler_modules_to_check() -> None:
    assert {"planning.py", "triggers.py", "deliver.py", "check_ins.py", *WIRING} <= {p.name for p in MODULES}


@pytest.mark.parametrize("module", [p for p in MODULES if p.name not in WIRING], ids=lambda p: p.name)
def test_a_handler_module_takes_no_connection(module: Path) -> None:
    assert connection_use(module.read_text()) == []


def test_the_dispatcher_loop_only_takes_the_pool_to_make_its_unit_of_work() -> None:
    source = (MODULES[0].parent / "dispatcher.py").read_text()
    assert [use.split(": ", 1)[1] for use in connection_use(source)] == ["imports Pool"]


def test_the_check_finds_a_connection_parameter_and_a_pool_transaction() -> None:
    source = (
        "from accord.shared.db import Connection, Pool\n"
        "async def f(pool: Pool) -> None:\n"
        "    async with pool.acquire() as conn, conn.transaction():\n"
        "        pass\n"
    )
    assert connection_use(source) == ["1: imports Connection", "1: imports Pool", "3: .acquire", "3: .transaction"]
