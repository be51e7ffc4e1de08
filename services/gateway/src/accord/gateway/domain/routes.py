"""Which service answers which part of the public API, and how long it may take."""

from dataclasses import dataclass
from urllib.parse import unquote

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


def route(raw_path: str) -> Route | None:
    """`raw_path` is what follows /api/v1/ as the caller sent it (still percent-encoded; the Edge has refused dot
    segments, encoded slashes and backslashes); None when no service owns it. The service gets exactly these bytes,
    so that it resolves the same path the owner was chosen by."""
    segment = unquote(raw_path.split("/", 1)[0])
    owner = OWNERS.get(segment)
    return Route(owner, "/" + raw_path) if owner else None
