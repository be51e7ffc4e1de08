"""The development OIDC provider (dev/idp, `accord-dev-idp`) is a development dependency only: no image installs
it and no manifest runs it. It signs anyone in without a password, so this is a security property."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
MARKERS = ("accord-dev-idp", "accord.devidp", "ACCORD_DEV_IDP_", "dev/idp")


def _image_scopes() -> list[list[str]]:
    """The package selections the Dockerfile's `uv sync` installs, for every SERVICE it accepts."""
    services = re.search(r"SERVICE=<([a-z|]+)>", DOCKERFILE)
    assert services is not None, "the Dockerfile no longer names the services it builds"
    scopes = []
    for service in services.group(1).split("|"):
        scopes.append(
            ["--all-packages"] if service == "ops" else ["--package", f"accord-{service}", "--package", "accord-ops"]
        )
    return scopes


def test_every_image_syncs_without_the_development_dependencies() -> None:
    syncs = [line for line in DOCKERFILE.splitlines() if "uv sync" in line]
    assert syncs and all("--no-dev" in line for line in syncs)


@pytest.mark.parametrize("scope", _image_scopes(), ids=lambda s: s[-1] if s[0] == "--package" else "ops")
def test_no_image_installs_the_development_login_provider(scope: list[str]) -> None:
    exported = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-hashes", *scope],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "accord-dev-idp" not in exported
    assert "dev/idp" not in exported


def test_the_dockerfile_never_copies_the_development_login_provider() -> None:
    copies = [line for line in DOCKERFILE.splitlines() if line.startswith("COPY ") and "--from=" not in line]
    assert copies and not any(" dev" in line or "COPY . " in line for line in copies)


def test_no_manifest_runs_the_development_login_provider(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]]
) -> None:
    texts = [repr(compose), *(repr(docs) for docs in rendered.values())]
    for text in texts:
        assert not any(marker in text for marker in MARKERS)
