"""The reporting service's part of a subject access export: the client's FHIR R4 bundle (every goal, observation
and questionnaire response, as the client themself sees them) and who read their data here (the access log)."""

import json
from typing import Any
from uuid import UUID

from accord.reporting.adapters.fhir_export import client_bundle
from accord.reporting.adapters.repository import Repository
from accord.reporting.domain.access import Scope, report_scope
from accord.reporting.domain.goals import goal_states
from accord.shared.db import Connection
from accord.shared.events.contracts.common import Role
from accord.shared.exports import Assemble, client_access_log


def assembler(schema: str, fhir_base_url: str) -> Assemble:
    async def assemble(conn: Connection, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        history = await Repository(conn, schema).history(tenant_id, client_id)
        # The client's own scope: the export is everything about them, whoever asked for it on their behalf.
        scope: Scope | None = report_scope(history, client_id, {Role.CLIENT})
        assert scope is not None
        goals = [g for g in goal_states(history) if scope.sees(g)]
        bundle = client_bundle(client_id, goals, scope.questionnaires(history), fhir_base_url)
        return {
            "fhir_bundle": json.loads(bundle.model_dump_json()),
            "access_log": await client_access_log(conn, schema, tenant_id, client_id),
        }

    return assemble
