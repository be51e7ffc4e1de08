"""Subject access exports: who may ask for one, and which services contribute a part."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role

# Every service holding data about a client; the goals service stores its own part with the request.
PARTS: tuple[str, ...] = ("goals", "progress", "notifications", "reporting")


class ExportRefused(Exception):
    """The request is not allowed; `field` names the input at fault, or None where existence would leak."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


def check_may_request(me: Principal, client_id: UUID, on_care_team: bool, request_reference: str | None) -> None:
    """The client themself may ask at any time. Staff may ask only for a client of a care team they are on (a
    therapist of one of the client's episodes, or a supervisor of its team) and only with the reference of a
    recorded subject access request, which is kept with the export."""
    if me.subject == client_id and me.has(Role.CLIENT):
        return
    staff = me.has(Role.THERAPIST) or me.has(Role.SUPERVISOR)
    if not (staff and on_care_team):
        raise ExportRefused("not the client nor on their care team")
    if not request_reference:
        raise ExportRefused("staff need a recorded request", field="request_reference")


@dataclass(frozen=True)
class ExportStatus:
    export_id: UUID
    client_id: UUID
    requested_by: UUID
    requested_at: datetime
    request_reference: str | None
    parts: dict[str, int] = field(default_factory=dict)  # service -> records, for the parts stored so far

    @property
    def ready(self) -> bool:
        return all(p in self.parts for p in PARTS)
