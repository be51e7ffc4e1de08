"""The questions reporting answers, each authorized from its own projections and audited in its own transaction.

Reads run on one snapshot (on PostgreSQL a REPEATABLE READ transaction, `adapters.repository.snapshots`) so that the
tables of one answer come from one snapshot, and the audit row commits with it: an answer given is an answer
recorded. A refusal is recorded apart. Both are ports: the unit tests give the in-memory fake
(tests/reporting_fakes.InMemoryReads).
"""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from accord.reporting.adapters import repository
from accord.reporting.domain.access import Audience, Scope, report_scope
from accord.reporting.domain.alliance import AllianceRules
from accord.reporting.domain.alliance_figures import AllianceReport, alliance_report
from accord.reporting.domain.caseload import (
    CaseloadFilter,
    CaseloadRow,
    Sort,
    caseload_row,
    page_of,
    team_caseload_row,
)
from accord.reporting.domain.goals import GoalState, goal_states
from accord.reporting.domain.history import ClientHistory
from accord.reporting.domain.measures import Metric, OutcomeRules
from accord.reporting.domain.outcomes import Period
from accord.reporting.domain.suppression import published_outcomes
from accord.shared.auth import Principal
from accord.shared.db import Pool
from accord.shared.events.contracts.common import Role
from accord.shared.problems import Problem


@dataclass(frozen=True)
class ClientView:
    history: ClientHistory
    scope: Scope
    goals: list[GoalState]  # those the viewer may see
    client_name: str | None = None  # the preferred name a therapist entered


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    next_key: tuple[Any, ...] | None
    names: dict[UUID, str]  # the preferred names of these rows' clients (no other)


class Reads(Protocol):
    """One read's snapshot: reporting's repository (or its fake), and the audit row committed with the answer."""

    async def history(self, tenant_id: str, client_id: UUID) -> ClientHistory: ...
    async def histories(self, tenant_id: str, client_ids: Sequence[UUID]) -> list[ClientHistory]: ...
    async def clients_of_clinician(self, tenant_id: str, person_id: UUID) -> list[UUID]: ...
    async def clients_of_team(self, tenant_id: str, team_id: UUID) -> list[UUID]: ...
    async def seen_signals(self, tenant_id: str, viewer_id: UUID) -> set[UUID]: ...
    async def mark_seen(self, tenant_id: str, viewer_id: UUID, signal_ids: Sequence[UUID]) -> None: ...
    async def seen_by_anyone(self, tenant_id: str, signal_ids: Sequence[UUID]) -> set[UUID]: ...
    async def client_names(self, tenant_id: str, client_ids: Sequence[UUID]) -> dict[UUID, str]: ...
    async def set_client_name(self, tenant_id: str, client_id: UUID, display_name: str, set_by: UUID) -> None: ...
    async def audited(
        self,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        client_id: UUID | None = None,
    ) -> None: ...


Snapshots = Callable[[], AbstractAsyncContextManager[Reads]]
Refusal = Callable[[Principal, str, str, object, UUID | None, str], Awaitable[None]]
"""(principal, action, resource type, resource id, client id, reason): a refused read, recorded apart."""


def _now() -> datetime:
    return datetime.now(UTC)


def reporting_queries(
    pool: Pool, schema: str, rules: OutcomeRules, alliance: AllianceRules | None = None
) -> "ReportingQueries":
    """The queries on PostgreSQL."""
    return ReportingQueries(repository.snapshots(pool, schema), repository.refusals(pool, schema), rules, alliance)


class ReportingQueries:
    def __init__(
        self, snapshots: Snapshots, refuse: Refusal, rules: OutcomeRules, alliance: AllianceRules | None = None
    ) -> None:
        self._snapshot, self.refuse, self.rules = snapshots, refuse, rules
        self.alliance_rules = alliance or AllianceRules()

    async def _not_found(self, principal: Principal, resource: str, resource_id: Any, client_id: UUID) -> Problem:
        """Refusals are audited, and look exactly like a client who does not exist (404, not 403)."""
        await self.refuse(principal, "read", resource, resource_id, client_id, "not in scope")
        return Problem(404, "Not found", "No such client, or not one you may see")

    async def _client_view(self, repo: Reads, principal: Principal, client_id: UUID) -> ClientView | None:
        history = await repo.history(principal.tenant_id, client_id)
        scope = report_scope(history, principal.subject, principal.roles)
        if scope is None:
            return None
        return ClientView(history, scope, [g for g in goal_states(history) if scope.sees(g)])

    async def client_report(self, principal: Principal, client_id: UUID) -> ClientView:
        async with self._snapshot() as repo:
            view = await self._client_view(repo, principal, client_id)
            if view is not None:
                await repo.audited(principal, "read", "client_report", client_id, client_id)
                if view.scope.audience is Audience.CLINICIAN:
                    signals = [s.signal_id for s in view.history.safety_signals]
                    await repo.mark_seen(principal.tenant_id, principal.subject, signals)
                names = await repo.client_names(principal.tenant_id, [client_id])
                return replace(view, client_name=names.get(client_id))
        raise await self._not_found(principal, "client_report", client_id, client_id)

    async def goal(self, principal: Principal, client_id: UUID, goal_id: UUID, resource: str) -> GoalState:
        """One goal the viewer may see (for its chart or export), audited as `resource`."""
        async with self._snapshot() as repo:
            view = await self._client_view(repo, principal, client_id)
            goal = next((g for g in view.goals if g.goal_id == goal_id), None) if view else None
            if goal is not None:
                await repo.audited(principal, "read", resource, goal_id, client_id)
                return goal
        raise await self._not_found(principal, resource, goal_id, client_id)

    async def fhir_export(self, principal: Principal, client_id: UUID) -> ClientView:
        """The client's goals and questionnaires, for the client and their clinicians (not for relatives)."""
        async with self._snapshot() as repo:
            view = await self._client_view(repo, principal, client_id)
            if view is not None and view.scope.audience is not Audience.FAMILY:
                await repo.audited(principal, "export", "fhir_bundle", client_id, client_id)
                return view
        raise await self._not_found(principal, "fhir_bundle", client_id, client_id)

    async def caseload(
        self, principal: Principal, sort: Sort, only: CaseloadFilter, after: tuple[Any, ...] | None, limit: int
    ) -> CaseloadPage:
        """The therapist's own caseload, one page; every client shown is audited."""
        if not principal.has(Role.THERAPIST):
            await self.refuse(principal, "read", "caseload", principal.subject, None, "not a therapist")
            raise Problem(403, "Forbidden", "Only therapists have a caseload")
        now = _now()
        async with self._snapshot() as repo:
            client_ids = await repo.clients_of_clinician(principal.tenant_id, principal.subject)
            histories = await repo.histories(principal.tenant_id, client_ids)
            seen = await repo.seen_signals(principal.tenant_id, principal.subject)
            low = self.alliance_rules.low_below(principal.tenant_id)
            rows = [caseload_row(h, principal.subject, now, seen, low) for h in histories]
            return await self._page(
                repo, principal, "caseload", principal.subject, rows, now, (sort, only, after, limit)
            )

    async def team_caseload(
        self,
        principal: Principal,
        team_id: UUID,
        sort: Sort,
        only: CaseloadFilter,
        after: tuple[Any, ...] | None,
        limit: int,
    ) -> CaseloadPage:
        """A team's caseload, read-only, for supervisors of that team only; every client shown is audited."""
        if not principal.has(Role.SUPERVISOR) or team_id not in principal.teams:
            reason = "not a supervisor of team"
            await self.refuse(principal, "read", "team_caseload", team_id, None, reason)
            raise Problem(403, "Forbidden", "Only the team's supervisors see its caseload", field="team_id")
        now = _now()
        async with self._snapshot() as repo:
            client_ids = await repo.clients_of_team(principal.tenant_id, team_id)
            histories = await repo.histories(principal.tenant_id, client_ids)
            signals = [s.signal_id for h in histories for s in h.safety_signals]
            seen = await repo.seen_by_anyone(principal.tenant_id, signals)
            low = self.alliance_rules.low_below(principal.tenant_id)
            rows = [team_caseload_row(h, team_id, now, seen, low) for h in histories]
            return await self._page(repo, principal, "team_caseload", team_id, rows, now, (sort, only, after, limit))

    async def _page(
        self,
        repo: Reads,
        principal: Principal,
        resource: str,
        resource_id: UUID,
        rows: list[CaseloadRow | None],
        now: datetime,
        asked: tuple[Sort, CaseloadFilter, tuple[Any, ...] | None, int],
    ) -> CaseloadPage:
        """One page of the rows, with the names of exactly those clients; the listing and each row audited."""
        sort, only, after, limit = asked
        kept = [r for r in rows if r is not None and only.accepts(r, now)]
        page, next_key = page_of(kept, sort, after, limit)
        names = await repo.client_names(principal.tenant_id, [r.client_id for r in page])
        await repo.audited(principal, "read", resource, resource_id)
        for row in page:
            await repo.audited(principal, "read", "caseload_entry", row.client_id, row.client_id)
        return CaseloadPage(page, next_key, names)

    async def client_name(self, principal: Principal, client_id: UUID) -> str | None:
        """The name a client prefers, for their clinicians only (those who may open the client's report)."""
        async with self._snapshot() as repo:
            view = await self._client_view(repo, principal, client_id)
            if view is not None and view.scope.audience is Audience.CLINICIAN:
                await repo.audited(principal, "read", "client_name", client_id, client_id)
                return (await repo.client_names(principal.tenant_id, [client_id])).get(client_id)
        raise await self._not_found(principal, "client_name", client_id, client_id)

    async def set_client_name(self, principal: Principal, client_id: UUID, display_name: str) -> None:
        """A therapist of the client (as for the report) records the name the client prefers to be called."""
        async with self._snapshot() as repo:
            view = await self._client_view(repo, principal, client_id)
            if view is not None and view.scope.audience is Audience.CLINICIAN:
                await repo.set_client_name(principal.tenant_id, client_id, display_name, principal.subject)
                await repo.audited(principal, "write", "client_name", client_id, client_id)
                return
        raise await self._not_found(principal, "client_name", client_id, client_id)

    async def outcomes(self, principal: Principal, team_id: UUID, period: Period, export: bool) -> list[Metric]:
        """A team's aggregates over whole months, for supervisors of that team only, withheld where a small number
        could be singled out, directly or by differencing (`domain/suppression.py`)."""
        resource = "service_outcomes_csv" if export else "service_outcomes"
        if not principal.has(Role.SUPERVISOR) or team_id not in principal.teams:
            await self.refuse(principal, "read", resource, team_id, None, "not a supervisor of team")
            raise Problem(403, "Forbidden", "Only the team's supervisors see its outcomes", field="team_id")
        async with self._snapshot() as repo:
            client_ids = await repo.clients_of_team(principal.tenant_id, team_id)
            histories = await repo.histories(principal.tenant_id, client_ids)
            await repo.audited(principal, "export" if export else "read", resource, team_id)
        return published_outcomes(histories, team_id, period, self.rules)

    async def alliance(self, principal: Principal, team_id: UUID, period: Period) -> AllianceReport:
        """A team's alliance figures month by month, for supervisors of that team only; per therapist only where
        the tenant enables it for supervision. Withheld like the outcomes (`domain/suppression.py`)."""
        if not principal.has(Role.SUPERVISOR) or team_id not in principal.teams:
            reason = "not a supervisor of team"
            await self.refuse(principal, "read", "team_alliance", team_id, None, reason)
            raise Problem(403, "Forbidden", "Only the team's supervisors see its alliance figures", field="team_id")
        async with self._snapshot() as repo:
            client_ids = await repo.clients_of_team(principal.tenant_id, team_id)
            histories = await repo.histories(principal.tenant_id, client_ids)
            await repo.audited(principal, "read", "team_alliance", team_id)
        per_therapist = principal.tenant_id in self.alliance_rules.per_therapist_tenants
        return alliance_report(histories, team_id, period, self.rules, per_therapist)
