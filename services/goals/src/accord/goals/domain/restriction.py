"""Lifting the restriction an approved erasure request put on a client's clinical record (the right to restriction
ends when its grounds do, for example once a disputed record is corrected). A supervisor of the client's team lifts
it, saying why; only an approved request's restriction, and once. What was erased stays erased."""

from uuid import UUID

from accord.goals.domain.erasure import Decision, ErasureRefused, ErasureStatus
from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role


class AlreadyLifted(Exception):
    """A restriction is lifted once."""


def check_may_lift(me: Principal, status: ErasureStatus | None, supervises_client: bool) -> ErasureStatus:
    """The request whose restriction `me` may lift. Raises ErasureRefused: as for an unknown request to anyone who
    may not decide it (nothing about it leaks), naming `decision` when it was not approved (nothing is restricted)."""
    if status is None or not (me.has(Role.SUPERVISOR) and supervises_client):
        raise ErasureRefused("no such request for this supervisor")
    if status.decision is not Decision.APPROVED:
        raise ErasureRefused("only an approved request restricted anything", field="decision")
    return status


def lift_target(status: ErasureStatus) -> tuple[UUID, UUID]:
    """The client whose records are used again, and the request whose restriction ends."""
    return status.client_id, status.request_id
