"""An in-memory stand-in for the projection tables (same rows, same first-write-wins keys), the repository on top of
them (`InMemoryRepository`, the fake of `adapters.repository.Repository`), and the answers the API would give,
computed from them with the service's own domain and response models."""

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from accord.reporting.adapters.history_store import assemble
from accord.reporting.domain.access import report_scope
from accord.reporting.domain.alliance import DEFAULT_FEEDBACK_LOW_BELOW
from accord.reporting.domain.caseload import CaseloadRow, caseload_row, team_caseload_row
from accord.reporting.domain.goals import goal_states
from accord.reporting.domain.history import ClientHistory
from accord.reporting.domain.measures import Metric, OutcomeRules
from accord.reporting.domain.outcomes import Period, service_outcomes
from accord.reporting.domain.projection import TABLES, Row, rows_for
from accord.reporting.domain.suppression import published_outcomes
from accord.reporting.entrypoints.schemas import CaseloadEntry, ClientReport, MetricOut
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role

KEY_LENGTH = {"goal_versions": 2}  # every other table is keyed by its first column


class InMemoryProjections:
    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {t: {} for t in TABLES}

    def apply(self, envelopes: Iterable[Envelope]) -> "InMemoryProjections":
        for envelope in envelopes:
            self.add(rows_for(envelope, envelope.open()))
        return self

    def add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            key = row.values[: KEY_LENGTH.get(row.table, 1)]
            self.tables[row.table].setdefault(key, dict(zip(TABLES[row.table], row.values, strict=True)))

    def history(self, tenant: str, client: UUID) -> ClientHistory:
        rows = {
            t: [r for r in table.values() if r["tenant_id"] == tenant and r["client_id"] == client]
            for t, table in self.tables.items()
        }
        return assemble(tenant, client, rows)

    def clients(self, tenant: str) -> list[UUID]:
        return sorted({r["client_id"] for r in self.tables["episodes"].values() if r["tenant_id"] == tenant}, key=str)


class InMemoryRepository:
    """What `Repository` keeps, in memory: the projections, the signals each clinician was shown, preferred names."""

    def __init__(self) -> None:
        self.projections = InMemoryProjections()
        self.seen: set[tuple[str, UUID, UUID]] = set()  # (tenant, viewer, signal)
        self.names: dict[tuple[str, UUID], str] = {}

    def _rows(self, table: str, tenant_id: str) -> list[dict[str, Any]]:
        return [r for r in self.projections.tables[table].values() if r["tenant_id"] == tenant_id]

    async def add(self, rows: Iterable[Row]) -> None:
        self.projections.add(rows)

    async def histories(self, tenant_id: str, client_ids: Sequence[UUID]) -> list[ClientHistory]:
        return [self.projections.history(tenant_id, c) for c in sorted(set(client_ids), key=str)]

    async def history(self, tenant_id: str, client_id: UUID) -> ClientHistory:
        return self.projections.history(tenant_id, client_id)

    async def clients_of_clinician(self, tenant_id: str, person_id: UUID) -> list[UUID]:
        led = {r["client_id"] for r in self._rows("episodes", tenant_id) if r["lead_therapist_id"] == person_id}
        joined = {r["client_id"] for r in self._rows("participant_changes", tenant_id) if r["person_id"] == person_id}
        return list(led | joined)

    async def clients_of_team(self, tenant_id: str, team_id: UUID) -> list[UUID]:
        return list({r["client_id"] for r in self._rows("episodes", tenant_id) if r["team_id"] == team_id})

    async def seen_signals(self, tenant_id: str, viewer_id: UUID) -> set[UUID]:
        return {signal for tenant, viewer, signal in self.seen if (tenant, viewer) == (tenant_id, viewer_id)}

    async def mark_seen(self, tenant_id: str, viewer_id: UUID, signal_ids: Sequence[UUID]) -> None:
        self.seen |= {(tenant_id, viewer_id, s) for s in signal_ids}

    async def seen_by_anyone(self, tenant_id: str, signal_ids: Sequence[UUID]) -> set[UUID]:
        return {signal for tenant, _, signal in self.seen if tenant == tenant_id and signal in signal_ids}

    async def client_names(self, tenant_id: str, client_ids: Sequence[UUID]) -> dict[UUID, str]:
        return {c: self.names[tenant_id, c] for c in client_ids if (tenant_id, c) in self.names}

    async def set_client_name(self, tenant_id: str, client_id: UUID, display_name: str, set_by: UUID) -> None:
        self.names[tenant_id, client_id] = display_name


class InMemoryReads(InMemoryRepository):
    """The repository of one read (`entrypoints.queries.Reads`), keeping each audit row it is asked to write."""

    def __init__(self) -> None:
        super().__init__()
        self.audited_rows: list[tuple[str, str, object, UUID | None]] = []  # action, resource, id, client
        self.refused: list[tuple[str, str, object, UUID | None, str]] = []  # ... and the reason

    async def audited(
        self,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        client_id: UUID | None = None,
    ) -> None:
        self.audited_rows.append((action, resource_type, resource_id, client_id))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator["InMemoryReads"]:
        """Every read on the same store (no isolation to speak of: one task at a time)."""
        yield self

    async def refuse(
        self,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object,
        client_id: UUID | None,
        reason: str,
    ) -> None:
        self.refused.append((action, resource_type, resource_id, client_id, reason))


def report_json(
    store: InMemoryProjections, tenant: str, client: UUID, viewer: UUID, roles: set[Role], now: datetime
) -> dict[str, Any] | None:
    history = store.history(tenant, client)
    scope = report_scope(history, viewer, roles)
    if scope is None:
        return None
    goals = [g for g in goal_states(history) if scope.sees(g)]
    report = ClientReport.of(history, goals, scope, now, None, OutcomeRules(), DEFAULT_FEEDBACK_LOW_BELOW).model_dump(
        mode="json"
    )
    report.pop("generated_at")
    return report


def _entries(
    store: InMemoryProjections, tenant: str, row_of: Callable[[ClientHistory], CaseloadRow | None]
) -> list[dict[str, Any]]:
    rows = [row_of(store.history(tenant, c)) for c in store.clients(tenant)]
    return [CaseloadEntry.of(r, None).model_dump(mode="json") for r in rows if r is not None]


def _metrics(
    store: InMemoryProjections,
    tenant: str,
    measured: Callable[[list[ClientHistory], OutcomeRules], list[Metric]],
    rules: OutcomeRules | None,
) -> list[dict[str, Any]]:
    histories = [store.history(tenant, c) for c in store.clients(tenant)]
    return [MetricOut.of(m).model_dump(mode="json") for m in measured(histories, rules or OutcomeRules())]


def caseload_json(
    store: InMemoryProjections, tenant: str, therapist: UUID, now: datetime, seen: frozenset[UUID] = frozenset()
) -> list[dict[str, Any]]:
    return _entries(store, tenant, lambda h: caseload_row(h, therapist, now, seen))


def team_caseload_json(
    store: InMemoryProjections, tenant: str, team: UUID, now: datetime, seen: frozenset[UUID] = frozenset()
) -> list[dict[str, Any]]:
    return _entries(store, tenant, lambda h: team_caseload_row(h, team, now, seen))


def outcomes_json(
    store: InMemoryProjections, tenant: str, team: UUID, period: Period, rules: OutcomeRules | None = None
) -> list[dict[str, Any]]:
    return _metrics(store, tenant, lambda hs, r: service_outcomes(hs, team, period, r), rules)


def published_outcomes_json(
    store: InMemoryProjections, tenant: str, team: UUID, period: Period, rules: OutcomeRules | None = None
) -> list[dict[str, Any]]:
    """The figures as the API publishes them: over whole months, totals withheld with a small month."""
    return _metrics(store, tenant, lambda hs, r: published_outcomes(hs, team, period, r), rules)
