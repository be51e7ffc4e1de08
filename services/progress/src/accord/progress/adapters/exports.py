"""The progress service's part of a subject access export: every entry and note, check-in and journal text,
questionnaire and decision about the client, the sessions marked held in their episodes and their own feedback on
them (with the private comment, which is theirs), and who read or changed them (the access log)."""

import json
from typing import Any
from uuid import UUID

from accord.shared.audit import Audit
from accord.shared.db import Connection


class ExportPartRepository:
    """The service's reads for its part of a subject access export (a `PartSource`), on one connection."""

    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema

    async def export_part(self, tenant_id: str, client_id: UUID) -> dict[str, Any]:
        # Restricted records included on purpose (no `restricted_clients` filter): a restriction hides records from
        # use, not from the client's own right of access.
        schema = self.schema

        async def rows(sql: str) -> list[dict[str, Any]]:
            return [dict(r) for r in await self.conn.fetch(sql, tenant_id, client_id)]

        return {
            "entries": await rows(
                "SELECT entry_id, goal_id, goal_version, kind, value, milestone_id, occurred_at, recorded_by,"
                f" recorded_by_role, note FROM {schema}.entries WHERE tenant_id = $1 AND client_id = $2"
                " ORDER BY occurred_at, entry_id"
            ),
            "checkins": await rows(
                f"SELECT checkin_id, mood, text, shared_with_therapist, occurred_at FROM {schema}.checkins"
                " WHERE tenant_id = $1 AND client_id = $2 ORDER BY occurred_at, checkin_id"
            ),
            "questionnaires": await rows(
                "SELECT response_id, episode_id, instrument, answers, total, severity, occurred_at, recorded_by"
                f" FROM {schema}.questionnaires WHERE tenant_id = $1 AND client_id = $2"
                " ORDER BY occurred_at, response_id"
            ),
            "decisions": await rows(
                f"SELECT d.goal_id, d.goal_version, d.decision_key, d.entry_id, d.decided_at FROM {schema}.decisions d"
                f" JOIN {schema}.goals g ON g.goal_id = d.goal_id WHERE g.tenant_id = $1 AND g.client_id = $2"
                " ORDER BY d.decided_at, d.goal_id, d.decision_key"
            ),
            "sessions": await rows(
                f"SELECT session_id, episode_id, held_at, held_by FROM {schema}.sessions"
                " WHERE tenant_id = $1 AND client_id = $2 ORDER BY held_at, session_id"
            ),
            "session_feedback": [
                {**r, "scores": json.loads(r["scores"])}  # the answers as JSON in the archive, not a string of it
                for r in await rows(
                    "SELECT session_id, episode_id, instrument, scores, comment, occurred_at"
                    f" FROM {schema}.session_feedback WHERE tenant_id = $1 AND client_id = $2"
                    " ORDER BY occurred_at, session_id"
                )
            ],
            "access_log": await Audit(schema).client_log(self.conn, tenant_id, client_id),
        }
