"""Reads clients' facts back from the projections, and the record of who viewed which report."""

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from accord.reporting.domain.history import (
    ClientHistory,
    DecisionKind,
    Entry,
    EntryKind,
    Episode,
    GoalEvent,
    GoalVersion,
    NotificationOutcome,
    ParticipantChange,
    ProgressDecision,
    Questionnaire,
    SafetySignal,
)
from accord.reporting.domain.projection import TABLES
from accord.shared.db import Connection
from accord.shared.events.contracts.common import Direction, Measure, MilestoneSpec, Party, Role, Visibility

Record = Any  # asyncpg.Record


def _parties(raw: str | None) -> tuple[Party, ...]:
    return tuple(Party.model_validate(p) for p in json.loads(raw)) if raw else ()


def _role(raw: str | None) -> Role | None:
    return Role(raw) if raw else None


def _goal_event(r: Record) -> GoalEvent:
    return GoalEvent(
        goal_id=r["goal_id"],
        event_type=r["event_type"],
        at=r["occurred_at"],
        version=r["version"],
        episode_id=r["episode_id"],
        party_id=r["party_id"],
        decision=r["decision"],
        parties=_parties(r["parties"]),
        visibility=Visibility(r["visibility"]) if r["visibility"] else None,
        shared_with=frozenset(r["shared_with"] or ()),
        outcome=r["outcome"],
    )


def _goal_version(r: Record) -> GoalVersion:
    return GoalVersion(
        goal_id=r["goal_id"],
        version=r["version"],
        episode_id=r["episode_id"],
        category_code=r["category_code"],
        measure=Measure.model_validate_json(r["measure"]),
        baseline=r["baseline"],
        target=r["target"],
        direction=Direction(r["direction"]),
        due_date=r["due_date"],
        review_interval_days=r["review_interval_days"],
        milestones=tuple(MilestoneSpec.model_validate(m) for m in json.loads(r["milestones"])),
        visibility=Visibility(r["visibility"]),
        shared_with=frozenset(r["shared_with"]),
        parties=_parties(r["parties"]),
        proposed_at=r["proposed_at"],
        agreed_at=r["agreed_at"],
    )


def _entry(r: Record) -> Entry:
    return Entry(
        entry_id=r["entry_id"],
        goal_id=r["goal_id"],
        kind=EntryKind(r["kind"]),
        at=r["occurred_at"],
        recorded_by=r["recorded_by"],
        value=r["value"],
        goal_version=r["goal_version"],
        milestone_id=r["milestone_id"],
        recorded_by_role=_role(r["recorded_by_role"]),
    )


_READERS: dict[str, tuple[str, Callable[[Record], Any]]] = {
    "participants": (
        "participant_changes",
        lambda r: ParticipantChange(r["episode_id"], r["person_id"], _role(r["role"]), r["joined"], r["changed_at"]),
    ),
    "goal_events": ("goal_events", _goal_event),
    "versions": ("goal_versions", _goal_version),
    "entries": ("entries", _entry),
    "decisions": (
        "progress_decisions",
        lambda r: ProgressDecision(
            r["goal_id"], r["goal_version"], DecisionKind(r["kind"]), r["occurred_at"], r["milestone_id"], r["detail"]
        ),
    ),
    "questionnaires": (
        "questionnaires",
        lambda r: Questionnaire(
            r["response_id"], r["instrument"], r["total"], r["severity"], r["occurred_at"], r["episode_id"]
        ),
    ),
    "safety_signals": (
        "safety_signals",
        lambda r: SafetySignal(r["signal_id"], r["event_id"], r["instrument"], r["raised_at"]),
    ),
    "notifications": (
        "notification_outcomes",
        lambda r: NotificationOutcome(r["source_event_id"], r["recipient_id"], r["delivered"], r["occurred_at"]),
    ),
}


def assemble(tenant_id: str, client_id: UUID, rows: Mapping[str, Sequence[Record]]) -> ClientHistory:
    """A client's history from their rows of each projection table (database records or plain dicts)."""
    closed = {r["episode_id"]: r["closed_at"] for r in rows.get("episode_closures", ())}
    episodes = tuple(
        Episode(r["episode_id"], r["team_id"], r["lead_therapist_id"], r["opened_at"], closed.get(r["episode_id"]))
        for r in rows.get("episodes", ())
    )
    parts = {name: tuple(read(r) for r in rows.get(table, ())) for name, (table, read) in _READERS.items()}
    return ClientHistory(tenant_id, client_id, episodes, **parts)


class HistoryStore:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def histories(self, conn: Connection, tenant_id: str, client_ids: Sequence[UUID]) -> list[ClientHistory]:
        """Every fact about these clients (one query per table, whatever the number of clients)."""
        ids = sorted(set(client_ids), key=str)
        rows: dict[UUID, dict[str, list[Record]]] = {c: defaultdict(list) for c in ids}
        for table in TABLES:
            query = f"SELECT * FROM {self.schema}.{table} WHERE tenant_id = $1 AND client_id = ANY($2)"
            for r in await conn.fetch(query, tenant_id, ids):
                rows[r["client_id"]][table].append(r)
        return [assemble(tenant_id, c, rows[c]) for c in ids]

    async def history(self, conn: Connection, tenant_id: str, client_id: UUID) -> ClientHistory:
        return (await self.histories(conn, tenant_id, [client_id]))[0]

    async def clients_of_clinician(self, conn: Connection, tenant_id: str, person_id: UUID) -> list[UUID]:
        """Clients whose episodes the person leads or has ever joined (the domain decides who is still in)."""
        rows = await conn.fetch(
            f"SELECT client_id FROM {self.schema}.episodes WHERE tenant_id = $1 AND lead_therapist_id = $2 "
            f"UNION SELECT client_id FROM {self.schema}.participant_changes WHERE tenant_id = $1 AND person_id = $2",
            tenant_id,
            person_id,
        )
        return [r["client_id"] for r in rows]

    async def clients_of_team(self, conn: Connection, tenant_id: str, team_id: UUID) -> list[UUID]:
        rows = await conn.fetch(
            f"SELECT DISTINCT client_id FROM {self.schema}.episodes WHERE tenant_id = $1 AND team_id = $2",
            tenant_id,
            team_id,
        )
        return [r["client_id"] for r in rows]

    async def seen_signals(self, conn: Connection, tenant_id: str, viewer_id: UUID) -> set[UUID]:
        rows = await conn.fetch(
            f"SELECT signal_id FROM {self.schema}.seen_safety_signals WHERE tenant_id = $1 AND viewer_id = $2",
            tenant_id,
            viewer_id,
        )
        return {r["signal_id"] for r in rows}

    async def mark_seen(self, conn: Connection, tenant_id: str, viewer_id: UUID, signal_ids: Sequence[UUID]) -> None:
        """Remembers the safety signals a clinician was shown, by id: a signal projected later stays unseen."""
        await conn.execute(
            f"INSERT INTO {self.schema}.seen_safety_signals (tenant_id, viewer_id, signal_id) "
            "SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
            tenant_id,
            viewer_id,
            list(signal_ids),
        )

    async def seen_by_anyone(self, conn: Connection, tenant_id: str, signal_ids: Sequence[UUID]) -> set[UUID]:
        """Of these safety signals, those some clinician has been shown."""
        rows = await conn.fetch(
            f"SELECT DISTINCT signal_id FROM {self.schema}.seen_safety_signals "
            "WHERE tenant_id = $1 AND signal_id = ANY($2)",
            tenant_id,
            list(signal_ids),
        )
        return {r["signal_id"] for r in rows}

    async def client_names(self, conn: Connection, tenant_id: str, client_ids: Sequence[UUID]) -> dict[UUID, str]:
        rows = await conn.fetch(
            f"SELECT client_id, display_name FROM {self.schema}.client_names "
            "WHERE tenant_id = $1 AND client_id = ANY($2)",
            tenant_id,
            list(client_ids),
        )
        return {r["client_id"]: r["display_name"] for r in rows}

    async def set_client_name(
        self, conn: Connection, tenant_id: str, client_id: UUID, display_name: str, set_by: UUID
    ) -> None:
        await conn.execute(
            f"INSERT INTO {self.schema}.client_names (tenant_id, client_id, display_name, set_by) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, client_id) "
            "DO UPDATE SET display_name = $3, set_by = $4, set_at = clock_timestamp()",
            tenant_id,
            client_id,
            display_name,
            set_by,
        )
