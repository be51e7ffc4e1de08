"""Which service answers which part of the public API, and how long it may take."""

from dataclasses import dataclass

# First path segment under /api/v1 -> the service that owns it.
OWNERS = {
    "episodes": "goals",
    "goals": "goals",
    "progress": "progress",
    "notifications": "notifications",
    "reporting": "reporting",
}

RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # retried once on a refused connection; writes never


@dataclass(frozen=True)
class Route:
    service: str
    upstream_path: str


def route(path: str) -> Route | None:
    """`path` is what follows /api/v1/; None when no service owns it."""
    segment = path.split("/", 1)[0]
    owner = OWNERS.get(segment)
    return Route(owner, "/" + path) if owner else None
