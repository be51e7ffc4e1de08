"""Refusals a service's domain raises; `commands` turns each into its HTTP status and problem document."""


class DomainError(Exception):
    """Base: a rule of the domain refuses the command."""


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does (both answer 404)."""


class NotAllowed(DomainError):
    """The actor may see the thing but may not do this to it (403)."""


class WrongState(DomainError):
    """The command does not fit the thing's current state (409)."""


class Invalid(DomainError):
    """A value breaks a rule; `field` names it for the client (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    """A client-supplied id is already used for something else (409)."""


class Stale(DomainError):
    """The client changed an older revision than the current one: If-Match failed (412)."""


class NotYetKnown(DomainError):
    """Something another service owns has not reached this service's local view yet; retry shortly (409).

    Also the answer when the thing is known but hidden from the actor (`hidden=True`): the same words, so that
    nobody learns of another client's goal, but audited as a refusal."""

    def __init__(self, message: str, *, hidden: bool = False) -> None:
        super().__init__(message)
        self.hidden = hidden


STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    NotAllowed: 403,
    WrongState: 409,
    Conflict: 409,
    Stale: 412,
    Invalid: 422,
    NotYetKnown: 409,
}
TITLES = {404: "Not found", 403: "Forbidden", 409: "Conflict", 412: "Precondition failed", 422: "Invalid request"}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 409
