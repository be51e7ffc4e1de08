"""The gateway's image carries the built web app (a Node stage runs `npm ci` and `vite build`); the other images do
not, and the Docker build context admits the app's sources but not a local node_modules or dist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def stages() -> dict[str, list[str]]:
    """Each named stage's instructions (continuation lines joined)."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in DOCKERFILE.replace("\\\n", " ").splitlines():
        if (start := re.match(r"FROM\s+\S+(?:\s+AS\s+(\S+))?", line)) is not None:
            current = found.setdefault(start.group(1) or "final", [])
        elif line.strip() and not line.startswith("#"):
            current.append(line.strip())
    return found


def test_a_node_stage_builds_the_web_app_from_its_lock() -> None:
    web = stages()["web"]
    npm_ci = next(i for i, line in enumerate(web) if "npm ci" in line)
    build = next(i for i, line in enumerate(web) if "vite build" in line)
    assert any("package-lock.json" in line for line in web[:npm_ci])
    assert npm_ci < build


def test_only_the_gateways_image_holds_the_built_app_and_names_it_in_its_settings() -> None:
    every = stages()
    assert "COPY --from=web /web/dist /app/web/dist" in every["image-gateway"]
    assert "ENV ACCORD_GATEWAY_WEB_DIST_DIR=/app/web/dist" in every["image-gateway"]
    others = [name for name in every if name.startswith("image-") and name != "image-gateway"]
    assert sorted(others) == ["image-goals", "image-notifications", "image-ops", "image-progress", "image-reporting"]
    assert not any("--from=web" in line for name in others for line in every[name])
    assert every["final"] == []  # `FROM image-${SERVICE}`: the service's own stage, as it is


def test_the_build_context_admits_the_web_sources_but_not_local_builds() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "!web/" in ignore
    for local in ("web/node_modules/", "web/dist/"):
        assert local in ignore and ignore.index(local) > ignore.index("!web/")
