"""docs/conventions.md names files and folders (the skeleton, the building blocks, the worked example that follows
a progress entry to an e-mail): every one it names in backticks must exist, so a move or a rename cannot leave the
doc pointing at nothing."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONVENTIONS = ROOT / "docs" / "conventions.md"
# Top-level folders of the repository whose paths the doc may name.
ROOTS = ("services", "shared", "dev", "tests", "web", "deploy", "scripts", "docs")
BACKTICKED = re.compile(r"`([^`\s]+)`")


def repository_paths(text: str) -> list[str]:
    """Backticked words that look like a repository path: with a `/`, and a `.py` file or under a top-level folder.
    Templates (`services/<svc>/...`) and URL paths (`/api/v1/...`) are not paths of this repository."""
    found = []
    for word in BACKTICKED.findall(text):
        path = word.rstrip("/")
        if "/" not in path or path.startswith("/") or any(c in path for c in "<>*{}"):
            continue
        if path.endswith(".py") or path.split("/", 1)[0] in ROOTS:
            found.append(path)
    return sorted(set(found))


PATHS = repository_paths(CONVENTIONS.read_text())


def test_the_conventions_name_the_files_of_the_worked_example() -> None:
    # Guards the extraction itself: a pattern that matched nothing would make the test below pass vacuously.
    assert "services/notifications/src/accord/notifications/handlers/dispatcher.py" in PATHS
    assert len(PATHS) >= 30


def test_templates_and_url_paths_are_not_taken_for_repository_paths() -> None:
    text = "`services/<svc>/src` `/api/v1/progress` `application/problem+json` `dev/tooling` `a/b.py`"
    assert repository_paths(text) == ["a/b.py", "dev/tooling"]


@pytest.mark.parametrize("path", PATHS)
def test_every_path_the_conventions_name_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/conventions.md names `{path}`, which is not in the repository"
