"""Rendering the Kustomize overlays with the real Kustomize (kubectl's built-in one, or a kustomize binary)."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[4]  # deploy/ in a checkout
COMPOSE_FILE = DEPLOY.parent / "docker-compose.yml"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")


def kustomize_command() -> list[str]:
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if found := shutil.which("kubectl"):
        return [found, "kustomize"]
    raise RuntimeError("rendering needs Kustomize v5: install kubectl (it has Kustomize built in) or kustomize")


def render(directory: Path) -> list[dict[str, Any]]:
    """The documents `kubectl apply -k directory` would apply."""
    command = [*kustomize_command(), str(directory)]  # a found binary and a path: no shell, no user input
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"kustomize failed on {directory}: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded
