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
    "feedback-instrument": "progress",
}
# `/<first>/{id}/<third>...` owned by another service than `<first>`: a care episode belongs to the goals service,
# its sessions and their feedback to the progress service.
NESTED_OWNERS = {
    ("episodes", "sessions"): "progress",
    ("episodes", "session-feedback"): "progress",
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
    owner = owner_of(raw_path)
    return Route(owner, "/" + raw_path) if owner else None


def owner_of(path: str) -> str | None:
    """The service that owns `path` (relative to /api/v1, leading slash or not), or None."""
    segments = [unquote(part) for part in path.lstrip("/").split("/", 3)]
    if len(segments) >= 3 and (owner := NESTED_OWNERS.get((segments[0], segments[2]))):
        return owner
    return OWNERS.get(segments[0])
