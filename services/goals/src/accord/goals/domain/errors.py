"""What can go wrong in the goals domain; the API maps each to an HTTP status."""


class DomainError(Exception):
    """Base: a rule of the domain refuses the command."""


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does (both answer 404)."""


class NotAllowed(DomainError):
    """The actor may see the thing but this actor may not do this to it."""


class WrongState(DomainError):
    """The command does not fit the thing's current state (e.g. agreeing to a goal that is not proposed)."""


class Invalid(DomainError):
    """A value breaks a rule; `field` names it for the client."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class LimitReached(DomainError):
    """A configured limit (e.g. active goals per episode) would be exceeded."""


class Stale(DomainError):
    """The client edited an older revision than the current one (If-Match failed)."""


class Conflict(DomainError):
    """A client-supplied id is already used for something else."""
