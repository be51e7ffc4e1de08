"""What runs in production (accord.shared, the services, accord-ops) is apart from the development tooling
(accord-devtools, accord-dev-idp): no runtime module imports it, directly or through another module, and no image
installs it. Read from the code and the Dockerfile, so a new package or image is held to it as well."""

import ast
import re
import subprocess
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _module(project: Path) -> str:
    return str(tomllib.loads((project / "pyproject.toml").read_text())["tool"]["uv"]["build-backend"]["module-name"])


def _distribution(project: Path) -> str:
    return str(tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"])


WORKSPACE = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
RUNTIME = sorted(p for member in WORKSPACE for p in ROOT.glob(member) if (p / "pyproject.toml").exists())
TOOLING = sorted(p.parent for p in (ROOT / "dev").glob("*/pyproject.toml"))
RUNTIME_MODULES = [_module(p) for p in RUNTIME]
TOOLING_MODULES = [_module(p) for p in TOOLING]
SERVICE_MODULES = [m for m in RUNTIME_MODULES if m != "accord.shared"]


@pytest.fixture(scope="module")
def imports() -> grimp.ImportGraph:
    """Every import of every package, those inside functions and under TYPE_CHECKING included."""
    return grimp.build_graph(*RUNTIME_MODULES, *TOOLING_MODULES)


def test_the_runtime_and_the_tooling_are_both_found() -> None:
    assert {"accord.shared", "accord.gateway", "accord.goals", "accord.ops"} <= set(RUNTIME_MODULES)
    assert {"accord.devtools", "accord.devidp"} <= set(TOOLING_MODULES)


@pytest.mark.parametrize("runtime", RUNTIME_MODULES)
def test_no_runtime_package_imports_the_development_tooling(imports: grimp.ImportGraph, runtime: str) -> None:
    for tooling in TOOLING_MODULES:
        chain = imports.find_shortest_chain(importer=runtime, imported=tooling, as_packages=True)
        assert chain is None, f"{runtime} imports {tooling}: {' -> '.join(chain or ())}"


def test_the_runtime_library_imports_no_service(imports: grimp.ImportGraph) -> None:
    for service in SERVICE_MODULES:
        chain = imports.find_shortest_chain(importer="accord.shared", imported=service, as_packages=True)
        assert chain is None, f"accord.shared imports {service}: {' -> '.join(chain or ())}"


def test_the_runtime_library_loads_no_module_by_name() -> None:
    """The import graph cannot see importlib.import_module("accord." + name): no such call may hide one."""
    loaders = []
    for path in sorted((ROOT / "shared" / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import | ast.ImportFrom) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            called = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None
            if "importlib" in names or module == "importlib" or called == "__import__":
                loaders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}")
    assert loaders == []


def test_the_development_tooling_is_no_workspace_member() -> None:
    """An image that syncs every member (`--all-packages`) must not pick it up: it is a dev-group path dependency."""
    assert not set(TOOLING) & set(RUNTIME)
    dev_group = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert {_distribution(p) for p in TOOLING} <= set(dev_group)


def _image_scopes() -> dict[str, list[str]]:
    """The packages each image's `uv sync` installs, from the Dockerfile's own `scope=` choices."""
    services = re.search(r"SERVICE=<([a-z|]+)>", DOCKERFILE)
    ops, other = re.findall(r'scope="([^"]+)"', DOCKERFILE)[:2]
    assert services is not None and "--no-dev" in DOCKERFILE
    return {
        service: (ops if service == "ops" else other).replace("$SERVICE", service).split()
        for service in services.group(1).split("|")
    }


@pytest.mark.parametrize(("image", "scope"), _image_scopes().items())
def test_no_image_installs_the_development_tooling(image: str, scope: list[str]) -> None:
    assert all("--no-dev" in line for line in DOCKERFILE.splitlines() if "uv sync" in line)
    installed = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-hashes", *scope],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for project in TOOLING:
        assert _distribution(project) not in installed
        assert str(project.relative_to(ROOT)) not in installed
