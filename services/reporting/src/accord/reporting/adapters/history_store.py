"""Clients' histories assembled from their projection rows (database records or plain dicts)."""

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from accord.reporting.domain.history import (
    ClientHistory,
    DecisionKind,
    DivergenceChange,
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
    SessionFeedback,
)
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
    "divergences": (
        "alignment_divergences",
        lambda r: DivergenceChange(r["goal_id"], r["episode_id"], r["version"], r["raised"], r["occurred_at"]),
    ),
    "feedback": (
        "session_feedback",
        lambda r: SessionFeedback(
            *(r["session_id"], r["episode_id"], r["heard"], r["what_i_wanted"], r["way_we_worked"], r["overall"]),
            r["occurred_at"],
        ),
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
