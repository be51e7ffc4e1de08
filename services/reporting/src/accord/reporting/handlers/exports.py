"""The reporting service's part of a subject access export: the client's FHIR R4 bundle (every goal, observation
and questionnaire response, as the client themself sees them) and who read their data here (the access log)."""

import json
from typing import Any, Protocol
from uuid import UUID

from accord.reporting.adapters.fhir_export import client_bundle
from accord.reporting.domain.access import Scope, report_scope
from accord.reporting.domain.goals import goal_states
from accord.reporting.domain.history import ClientHistory
from accord.shared.events.contracts.common import Role


class ClientRecords(Protocol):
    """What the part needs of the repository (`Repository`, or a test's in-memory one)."""

    async def own_history(self, tenant_id: str, client_id: UUID) -> ClientHistory: ...
    async def access_log(self, tenant_id: str, client_id: UUID) -> list[dict[str, Any]]: ...


class ExportPart:
    """This service's `PartSource`: the repository's facts, shaped as the client's own FHIR bundle."""

    def __init__(self, repo: ClientRecords, fhir_base_url: str) -> None:
        self.repo, self.fhir_base_url = repo, fhir_base_url

    async def export_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        # Restricted records included: a restriction hides them from use, not from the client's right of access.
        history = await self.repo.own_history(tenant_id, client_id)
        # The client's own scope: the export is everything about them, whoever asked for it on their behalf.
        scope: Scope | None = report_scope(history, client_id, {Role.CLIENT})
        assert scope is not None
        goals = [g for g in goal_states(history) if scope.sees(g)]
        bundle = client_bundle(client_id, goals, scope.questionnaires(history), self.fhir_base_url)
        return {
            "fhir_bundle": json.loads(bundle.model_dump_json()),
            "access_log": await self.repo.access_log(tenant_id, client_id),
        }
