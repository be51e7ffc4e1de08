"""HTTP routes: client reports and charts, clients' preferred names, caseloads (a therapist's, a team's), service
outcomes, and exports (CSV, FHIR)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from accord.reporting.adapters.csv_export import outcomes_csv
from accord.reporting.adapters.fhir_export import client_bundle
from accord.reporting.domain.caseload import CaseloadFilter, Sort, SortField
from accord.reporting.domain.chart import goal_chart
from accord.reporting.domain.outcomes import Period
from accord.reporting.domain.suppression import whole_months
from accord.reporting.entrypoints.queries import CaseloadPage, ReportingQueries, reporting_queries
from accord.reporting.entrypoints.schemas import (
    AllianceFiguresOut,
    CaseloadEntry,
    ClientName,
    ClientNameIn,
    ClientNameOut,
    ClientReport,
    MetricOut,
    ServiceOutcomes,
    SupervisedTeams,
)
from accord.reporting.settings import Settings
from accord.shared.api import ResourcesDep
from accord.shared.auth import CurrentPrincipal
from accord.shared.events.contracts.common import Role
from accord.shared.inputs import Day
from accord.shared.pagination import Page, decode_cursor, encode_cursor
from accord.shared.problems import Problem

router = APIRouter(prefix="/reporting", tags=["reporting"])
FHIR_JSON = "application/fhir+json"
SORTS = [f.value for f in SortField] + [f"-{f.value}" for f in SortField]


def _queries(resources: ResourcesDep) -> ReportingQueries:
    settings = _settings(resources)
    return reporting_queries(resources.pool, settings.db_schema, settings.outcome_rules(), settings.alliance_rules())


def _settings(resources: ResourcesDep) -> Settings:
    settings: Settings = resources.settings
    return settings


@router.get("/clients/{client_id}/report", response_model=ClientReport)
async def client_report(client_id: UUID, principal: CurrentPrincipal, resources: ResourcesDep) -> ClientReport:
    """Per goal: agreement history, entries, milestones, current progress and achievement status, chart link."""
    view = await _queries(resources).client_report(principal, client_id)
    settings = _settings(resources)
    return ClientReport.of(
        view.history,
        view.goals,
        view.scope,
        datetime.now(UTC),
        view.client_name,
        settings.outcome_rules(),
        settings.alliance_rules().low_below(principal.tenant_id),
    )


@router.get("/clients/{client_id}/name", response_model=ClientNameOut)
async def client_name(client_id: UUID, principal: CurrentPrincipal, resources: ResourcesDep) -> ClientNameOut:
    """The name the client prefers (null until a therapist has entered one), for the client's clinicians, so that
    screens listing the client (such as care episodes) name them. Anyone else is answered as for no such client."""
    name = await _queries(resources).client_name(principal, client_id)
    return ClientNameOut(client_id=client_id, display_name=name)


@router.put("/clients/{client_id}/name", response_model=ClientName)
async def set_client_name(
    client_id: UUID, body: ClientNameIn, principal: CurrentPrincipal, resources: ResourcesDep
) -> ClientName:
    """A therapist of the client records the name the client prefers; caseloads and the report show it from then on
    to those who may see the client. Anyone else is answered as for a client who does not exist."""
    name = body.display_name.strip()
    if not name:
        raise Problem(422, "Invalid request", "display_name must not be blank", field="display_name")
    await _queries(resources).set_client_name(principal, client_id, name)
    return ClientName(client_id=client_id, display_name=name)


@router.get("/clients/{client_id}/goals/{goal_id}/chart.svg", response_class=Response)
async def goal_chart_svg(
    client_id: UUID, goal_id: UUID, principal: CurrentPrincipal, resources: ResourcesDep
) -> Response:
    goal = await _queries(resources).goal(principal, client_id, goal_id, "goal_chart")
    return Response(goal_chart(goal), media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@router.get("/clients/{client_id}/fhir", response_class=Response)
async def fhir_bundle(client_id: UUID, principal: CurrentPrincipal, resources: ResourcesDep) -> Response:
    """The client's goals, progress observations and questionnaire responses as a FHIR R4 collection Bundle."""
    view = await _queries(resources).fhir_export(principal, client_id)
    questionnaires = view.scope.questionnaires(view.history)
    bundle = client_bundle(client_id, view.goals, questionnaires, _settings(resources).fhir_base_url)
    return Response(bundle.model_dump_json(), media_type=FHIR_JSON, headers={"Cache-Control": "private, no-store"})


def _cursor_key(cursor: str | None, sort: str) -> tuple[Any, ...] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    shape_ok = len(position) == 4 and position[0] == sort and isinstance(position[1], int)
    if not shape_ok or not isinstance(position[2], int | float) or not isinstance(position[3], str):
        raise Problem(400, "Invalid cursor", "The cursor belongs to another listing or order", field="cursor")
    return tuple(position[1:])


SortQuery = Annotated[str, Query(description=f"one of {', '.join(SORTS)}")]
LimitQuery = Annotated[int, Query(ge=1, le=100)]
DaysQuery = Annotated[int | None, Query(ge=1, le=366)]


class CaseloadParams(BaseModel):
    """The sort, filters and page of a caseload listing, a therapist's or a team's."""

    sort: SortQuery = "client_id"
    with_active_goals: bool | None = None
    due_for_review: bool | None = None
    unseen_safety_signals: bool | None = None
    no_progress_days: DaysQuery = None
    limit: LimitQuery = 50
    cursor: str | None = None

    def listing(self) -> tuple[Sort, CaseloadFilter, tuple[Any, ...] | None]:
        if self.sort not in SORTS:
            raise Problem(422, "Invalid request", f"sort must be one of {', '.join(SORTS)}", field="sort")
        only = CaseloadFilter(
            self.with_active_goals, self.due_for_review, self.unseen_safety_signals, self.no_progress_days
        )
        return Sort.parse(self.sort), only, _cursor_key(self.cursor, self.sort)


CaseloadQuery = Annotated[CaseloadParams, Query()]


def _caseload_page(sort: str, page: CaseloadPage) -> Page[CaseloadEntry]:
    return Page(
        items=[CaseloadEntry.of(r, page.names.get(r.client_id)) for r in page.rows],
        next_cursor=encode_cursor(sort, *page.next_key) if page.next_key else None,
    )


@router.get("/caseload", response_model=Page[CaseloadEntry])
async def caseload(
    principal: CurrentPrincipal,
    resources: ResourcesDep,
    asked: CaseloadQuery,
) -> Page[CaseloadEntry]:
    """The therapist's clients with open episodes: active goals, last progress, reviews due, unseen safety signals,
    milestones reached in the last seven days. Sortable (prefix `-` for descending) and filterable."""
    order, only, after = asked.listing()
    page = await _queries(resources).caseload(principal, order, only, after, asked.limit)
    return _caseload_page(asked.sort, page)


@router.get("/teams", response_model=SupervisedTeams)
async def supervised_teams(principal: CurrentPrincipal) -> SupervisedTeams:
    """The teams the person supervises (none unless a supervisor): the choices of the team caseload and outcomes."""
    teams = sorted(principal.teams, key=str) if principal.has(Role.SUPERVISOR) else []
    return SupervisedTeams(team_ids=teams)


@router.get("/teams/{team_id}/caseload", response_model=Page[CaseloadEntry])
async def team_caseload(
    team_id: UUID,
    principal: CurrentPrincipal,
    resources: ResourcesDep,
    asked: CaseloadQuery,
) -> Page[CaseloadEntry]:
    """Supervisors of the team: its clients with open episodes in it, read-only, with the same figures, sorts and
    filters as a therapist's caseload. A safety signal is unseen until any clinician has been shown it."""
    order, only, after = asked.listing()
    page = await _queries(resources).team_caseload(principal, team_id, order, only, after, asked.limit)
    return _caseload_page(asked.sort, page)


def _period(first: date | None, last: date | None) -> Period:
    """The whole calendar months that have ended from `from`'s month to `to`'s (see domain/suppression.py)."""
    today = datetime.now(UTC).date()
    last = last or today
    first = first or last - timedelta(days=89)
    if first > last:
        raise Problem(422, "Invalid request", "from must not be after to", field="from")
    months = whole_months(first, last, today)
    if months is None:
        raise Problem(422, "Invalid request", "Outcomes are given for whole months that have ended", field="to")
    return months


TeamQuery = Annotated[UUID, Query()]
# Days within the shared range, so that a period's bounds (and the day after its last) are instants too.
FromQuery = Annotated[
    Day | None, Query(alias="from", description="a day of the first month, UTC (default: 90 days to `to`)")
]
ToQuery = Annotated[
    Day | None,
    Query(
        alias="to", description="a day of the last month, UTC, included (default: today); a month not over is left out"
    ),
]


@dataclass(frozen=True)
class TeamMonths:
    """What a team's figures are asked for: the team, and the whole months between the query's `from` and `to`."""

    team_id: UUID
    period: Period


def _team_months(team_id: TeamQuery, first: FromQuery = None, last: ToQuery = None) -> TeamMonths:
    return TeamMonths(team_id, _period(first, last))


TeamMonthsQuery = Annotated[TeamMonths, Depends(_team_months)]


@router.get("/outcomes", response_model=ServiceOutcomes)
async def outcomes(principal: CurrentPrincipal, resources: ResourcesDep, asked: TeamMonthsQuery) -> ServiceOutcomes:
    """Team aggregates over whole calendar months that have ended (the answer's `first_day` and `last_day`); each
    figure with the number of clients behind it, withheld below the small-number threshold, and withheld too when
    one of its months' figures is (so that no withheld figure is the difference of two published ones)."""
    period = asked.period
    metrics = await _queries(resources).outcomes(principal, asked.team_id, period, export=False)
    return ServiceOutcomes(
        team_id=asked.team_id,
        first_day=period.first_day,
        last_day=period.last_day,
        suppression_threshold=_settings(resources).suppression_threshold,
        metrics=[MetricOut.of(m) for m in metrics],
    )


@router.get("/alliance", response_model=AllianceFiguresOut)
async def alliance(principal: CurrentPrincipal, resources: ResourcesDep, asked: TeamMonthsQuery) -> AllianceFiguresOut:
    """A team's alliance figures over whole months that have ended, month by month and in total, each withheld
    below the small-number threshold like the outcomes; per therapist only where the service enables it."""
    report = await _queries(resources).alliance(principal, asked.team_id, asked.period)
    return AllianceFiguresOut.of(asked.team_id, asked.period, _settings(resources).suppression_threshold, report)


@router.get("/outcomes.csv", response_class=Response)
async def outcomes_as_csv(principal: CurrentPrincipal, resources: ResourcesDep, asked: TeamMonthsQuery) -> Response:
    """The same figures as CSV, with no identifier of any person or team."""
    metrics = await _queries(resources).outcomes(principal, asked.team_id, asked.period, export=True)
    return Response(
        outcomes_csv(metrics, asked.period),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="service-outcomes.csv"'},
    )
