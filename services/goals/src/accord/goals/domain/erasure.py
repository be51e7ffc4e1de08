"""Erasure requests: who may ask, who may decide, and which services must report the decision applied.

A client may ask for erasure of their own data; staff of their care team may record one made to them (with the
reference of the recorded request, as for an export). Deciding is a supervisor's: a supervisor of a team of one of
the client's episodes, who did not ask (no one approves their own request). Supervisors are the role Accord has that
answers for a team's records; a deployment whose data protection officer decides gives that person the supervisor
role for the team. An approval is applied by every service; a refusal changes nothing and goes nowhere.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from accord.goals.domain.exports import ExportRefused, check_may_request
from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role

# Every service holding data about a client; the goals service applies its own part with the decision.
APPLIED_BY: tuple[str, ...] = ("goals", "progress", "notifications", "reporting")


class Decision(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"


class Listed(StrEnum):
    """Which of the requests one may follow a list narrows to (`status=` of the list)."""

    WAITING = "waiting"  # undecided
    RESTRICTED = "restricted"  # approved, and the restriction it put in place not lifted


class ErasureRefused(ExportRefused):
    """Asking or deciding is not allowed; `field` names the input at fault, or None where existence would leak."""


class AlreadyDecided(Exception):
    """A request is decided once."""


def check_may_ask(me: Principal, client_id: UUID, on_care_team: bool, request_reference: str | None) -> None:
    """The same rule as for a subject access export: the client, or their care team's staff on a recorded request."""
    try:
        check_may_request(me, client_id, on_care_team, request_reference)
    except ExportRefused as refused:
        raise ErasureRefused(str(refused), refused.field) from None


def check_may_decide(me: Principal, requested_by: UUID, supervises_client: bool) -> None:
    if not (me.has(Role.SUPERVISOR) and supervises_client):
        raise ErasureRefused("not a supervisor of the client's team")
    if me.subject == requested_by:
        raise ErasureRefused("no one decides their own request", field="decision")


@dataclass(frozen=True)
class ErasureStatus:
    request_id: UUID
    client_id: UUID
    requested_by: UUID
    requested_by_roles: list[str]
    request_reference: str | None
    requested_at: datetime
    decision: Decision | None = None
    decided_by: UUID | None = None
    decided_by_roles: list[str] | None = None
    decided_at: datetime | None = None
    applied: dict[str, datetime] = field(default_factory=dict)  # service -> when it reported the decision applied
    lifted_by: UUID | None = None
    lifted_by_roles: list[str] | None = None
    lifted_at: datetime | None = None
    lift_applied: dict[str, datetime] = field(default_factory=dict)  # service -> when it reported the lift applied

    @property
    def complete(self) -> bool:
        return self.decision is Decision.APPROVED and all(s in self.applied for s in APPLIED_BY)

    @property
    def lift_complete(self) -> bool:
        """The restriction was lifted and every service has ended its own."""
        return self.lifted_at is not None and all(s in self.lift_applied for s in APPLIED_BY)

    @property
    def restricting(self) -> bool:
        """Approved and not lifted: the restriction it put on the client's clinical record is in place."""
        return self.decision is Decision.APPROVED and self.lifted_at is None

    def listed_in(self, which: Listed | None) -> bool:
        """Whether a list narrowed to `which` (None: not narrowed) holds it."""
        if which is Listed.WAITING:
            return self.decision is None
        if which is Listed.RESTRICTED:
            return self.restricting
        return True

    def readable_by(self, me: Principal, supervises_client: bool) -> bool:
        """Whoever asked, the client it is about, and those who may decide it."""
        return me.subject in (self.requested_by, self.client_id) or (me.has(Role.SUPERVISOR) and supervises_client)

    def decidable_by(self, me: Principal, supervises_client: bool) -> bool:
        """Waiting, and `me` may decide it: a supervisor of the client's team who did not ask for it."""
        return (
            self.decision is None and me.has(Role.SUPERVISOR) and supervises_client and me.subject != self.requested_by
        )

    def liftable_by(self, me: Principal, supervises_client: bool) -> bool:
        """Approved and not lifted yet, and `me` is a supervisor of the client's team (the one who decided, or who
        asked, included: lifting gives back, so it needs no second person)."""
        return self.restricting and me.has(Role.SUPERVISOR) and supervises_client
