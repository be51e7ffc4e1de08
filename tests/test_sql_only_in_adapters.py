"""SQL lives in a service's adapters: its `domain/` and `handlers/` neither import the database driver, nor hold SQL
in a string, nor call a connection's statements. (docs/conventions.md: handlers work through the service's
repository, which has an in-memory fake for unit tests.)"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("domain", "handlers")
STATEMENT_CALLS = frozenset(
    {"fetch", "fetchrow", "fetchval", "execute", "executemany", "copy_records_to_table", "copy_to_table", "cursor"}
)
DRIVERS = ("asyncpg", "psycopg", "sqlalchemy")
# A statement's opening words: enough to tell SQL from prose ("select a goal" does not match, "SELECT x FROM" does).
SQL = re.compile(
    r"\bSELECT\b[\s\S]+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bON\s+CONFLICT\b"
    r"|\bFOR\s+UPDATE\b[\s\S]*\bSKIP\s+LOCKED\b"
)


def layer_modules() -> list[Path]:
    return sorted(
        path
        for layer in LAYERS
        for path in ROOT.glob(f"services/*/src/accord/*/{layer}/**/*.py")
        if "migrations" not in path.parts
    )


def sql_found(source: str) -> Iterator[str]:
    """Each place in the module's source that talks to the database directly, as `line: what`."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in DRIVERS:
                    yield f"{node.lineno}: imports {name}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if SQL.search(node.value.upper()):
                yield f"{node.lineno}: SQL in a string"
        elif isinstance(node, ast.JoinedStr) and SQL.search(ast.unparse(node).upper()):
            yield f"{node.lineno}: SQL in an f-string"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STATEMENT_CALLS:
            yield f"{node.lineno}: calls .{node.func.attr}()"


def test_every_service_has_domain_and_handler_modules_to_check() -> None:
    services = {path.relative_to(ROOT).parts[1] for path in layer_modules()}
    assert {"goals", "progress", "notifications", "reporting"} <= services


@pytest.mark.parametrize("module", layer_modules(), ids=lambda p: str(p.relative_to(ROOT / "services")))
def test_a_domain_or_handler_module_issues_no_sql(module: Path) -> None:
    found = list(sql_found(module.read_text()))
    assert not found, f"{module.relative_to(ROOT)} talks to the database itself; move it to adapters/: {found}"


@pytest.mark.parametrize(
    "source",
    [
        "import asyncpg\n",
        "from asyncpg import Record\n",
        "Q = 'SELECT goal_id FROM goals WHERE status = $1'\n",
        "Q = '''\nUPDATE goals\n   SET status = $2 WHERE goal_id = $1'''\n",
        "Q = 'insert into goals (goal_id) values ($1) on conflict do nothing'\n",
        "def f(t):\n    return f'DELETE FROM {t} WHERE x = 1'\n",
        "async def f(conn):\n    await conn.fetch(QUERY)\n",
        "async def f(conn):\n    await conn.executemany(QUERY, rows)\n",
    ],
)
def test_the_check_finds_a_driver_import_sql_text_and_a_statement_call(source: str) -> None:
    assert list(sql_found(source))


def test_the_check_lets_prose_docstrings_and_repository_calls_pass() -> None:
    source = (
        '"""SELECT the goals FROM the view: a docstring may say so."""\n'
        "TITLE = 'Select a goal to update'\n"
        "async def f(repo):\n"
        "    await repo.goal(goal_id, for_update=True)\n"
        "    async with pool.acquire() as conn, conn.transaction():\n"
        "        await repo.mark_sent(item)\n"
    )
    assert list(sql_found(source)) == []


# The tables the shared library keeps in every service's schema (its machinery); a service's domain tables are the
# service's own, read and written only by its adapters.
SHARED_MACHINERY_TABLES = frozenset(
    {
        "outbox",
        "outbox_unsent",
        "inbox",
        "dead_letter_records",
        "audit_log",
        "idempotency_keys",
        "export_parts",
        "restricted_clients",
    }
)
# A name with "(" right after it is a function (`FROM unnest($1::uuid[])`), not a table.
TABLE_NAMED = re.compile(
    r"\b(?:FROM|INTO|JOIN|TABLE)\s+(?:\{[^}]*\}\.)?([a-z_]+)\b(?!\()|\bUPDATE\s+(?:\{[^}]*\}\.)?([a-z_]+)\s+SET\b",
    re.IGNORECASE,
)


def tables_named(source: str) -> set[str]:
    """The tables the module's SQL strings name (a `{placeholder}` table counts as the machinery's own)."""
    tree = ast.parse(source)
    texts = [
        ast.unparse(node) if isinstance(node, ast.JoinedStr) else node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))
    ]
    found = (match for text in texts if SQL.search(text.upper()) for match in TABLE_NAMED.findall(text))
    return {name.lower() for names in found for name in names if name}


def shared_modules() -> list[Path]:
    return sorted((ROOT / "shared/src/accord/shared").glob("**/*.py"))


@pytest.mark.parametrize("module", shared_modules(), ids=lambda p: str(p.relative_to(ROOT / "shared")))
def test_the_shared_library_names_no_table_but_its_own_machinerys(module: Path) -> None:
    """`accord.shared` holds no domain SQL: a service's part of an export, say, is read by the service's repository."""
    # CTEs (`guard`: a write at once's, accord.shared.commands.GuardedWrite), and the outbox trigger's transition table
    # (`REFERENCING NEW TABLE AS inserted`), are not tables.
    ctes = {"claimed", "to_delete", "due", "inserted", "guard"}
    foreign = tables_named(module.read_text()) - SHARED_MACHINERY_TABLES - ctes
    assert not foreign, f"{module.relative_to(ROOT)} names a service's tables {sorted(foreign)}; move it to adapters/"


def test_the_table_check_finds_a_domain_table_in_shared_sql() -> None:
    source = (
        "def f(schema):\n"
        "    return f'SELECT entry_id FROM {schema}.entries WHERE tenant_id = $1'\n"
        "Q = 'INSERT INTO export_parts (export_id) VALUES ($1)'\n"
        "R = 'INSERT INTO audit_log (action) SELECT a FROM unnest($1::text[]) AS a'\n"
    )
    assert tables_named(source) == {"entries", "export_parts", "audit_log"}  # unnest( is a function
