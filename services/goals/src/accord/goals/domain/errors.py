"""What can go wrong in the goals domain: the shared refusals, plus the goals' own limit."""

from accord.shared.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, Stale, WrongState


class LimitReached(WrongState):
    """A configured limit (e.g. goals in play per episode) would be exceeded."""


__all__ = ["Conflict", "DomainError", "Invalid", "LimitReached", "NotAllowed", "NotFound", "Stale", "WrongState"]
