"""The people of a fuzz run: one of every role, in a tenant of their own, with tokens every service accepts."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from accord.devtools.testing import TokenFactory

ROLES = ("client", "family", "therapist", "supervisor")


@dataclass
class Cast:
    """A client, a family member, a therapist and a supervisor of the therapist's team."""

    tokens: TokenFactory
    tenant: str = field(default_factory=lambda: f"tenant-fuzz-{uuid4().hex[:8]}")
    team: UUID = field(default_factory=uuid4)
    ids: dict[str, UUID] = field(default_factory=lambda: {role: uuid4() for role in ROLES})

    def headers(self, role: str) -> dict[str, str]:
        teams = (self.team,) if role == "supervisor" else ()
        return self.tokens.bearer(self.ids[role], [role], self.tenant, teams=teams)
