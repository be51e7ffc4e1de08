"""Reporting's reads on the in-memory repository: who may read what (a refusal looks like a client who does not
exist, or names the team), what each answer records in the audit trail, and what reading marks as seen."""

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from reporting_fakes import InMemoryReads
from reporting_scenario import Cast, script

from accord.reporting.domain.caseload import CaseloadFilter, Sort, SortField
from accord.reporting.domain.measures import OutcomeRules
from accord.reporting.domain.outcomes import Period
from accord.reporting.domain.projection import rows_for
from accord.reporting.entrypoints.queries import ReportingQueries
from accord.shared.auth import Principal
from accord.shared.events.contracts.common import Role
from accord.shared.problems import Problem

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
BY_CLIENT = Sort(SortField.CLIENT, descending=False)


async def scripted() -> tuple[Cast, InMemoryReads, ReportingQueries]:
    cast, store = Cast(), InMemoryReads()
    for envelope in script(cast, NOW):
        await store.add(rows_for(envelope, envelope.open()))
    return cast, store, ReportingQueries(store.snapshot, store.refuse, OutcomeRules())


def person(cast: Cast, subject: UUID, *roles: Role, teams: frozenset[UUID] = frozenset()) -> Principal:
    return Principal(subject=subject, tenant_id=cast.tenant, roles=frozenset(roles), teams=teams)


async def test_the_lead_therapist_reads_a_report_audited_and_its_safety_signals_become_seen() -> None:
    cast, store, queries = await scripted()
    c0, therapist = cast.clients[0], person(cast, cast.therapist, Role.THERAPIST)

    view = await queries.client_report(therapist, c0)

    assert view.goals and view.history.safety_signals
    assert store.audited_rows == [("read", "client_report", c0, c0)]
    assert await store.seen_signals(cast.tenant, cast.therapist) == {s.signal_id for s in view.history.safety_signals}


async def test_a_therapist_outside_the_clients_care_is_answered_as_if_the_client_did_not_exist() -> None:
    cast, store, queries = await scripted()
    c0, stranger = cast.clients[0], person(cast, uuid4(), Role.THERAPIST)

    with pytest.raises(Problem) as refused:
        await queries.client_report(stranger, c0)
    with pytest.raises(Problem) as unknown:
        await queries.client_report(stranger, uuid4())

    assert (refused.value.status, refused.value.detail) == (unknown.value.status, unknown.value.detail)
    assert refused.value.status == 404
    assert store.refused[0] == ("read", "client_report", c0, c0, "not in scope")
    assert store.audited_rows == [] and store.seen == set()


async def test_a_relative_sees_only_the_goals_shared_with_them_marks_nothing_seen_and_gets_no_fhir_export() -> None:
    cast, store, queries = await scripted()
    c0 = cast.clients[0]

    theirs = await queries.client_report(person(cast, cast.family, Role.FAMILY), c0)
    therapists = await queries.client_report(person(cast, cast.therapist, Role.THERAPIST), c0)

    assert {g.goal_id for g in theirs.goals} == {cast["G0a"]} < {g.goal_id for g in therapists.goals}
    assert await store.seen_signals(cast.tenant, cast.family) == set()
    with pytest.raises(Problem):
        await queries.fhir_export(person(cast, cast.family, Role.FAMILY), c0)
    assert store.refused[-1][:2] == ("read", "fhir_bundle")


async def test_a_caseload_page_audits_the_listing_and_each_client_shown_and_names_only_those() -> None:
    cast, store, queries = await scripted()
    therapist = person(cast, cast.therapist, Role.THERAPIST)
    first, second = sorted(cast.clients, key=str)[:2]
    await store.set_client_name(cast.tenant, first, "Sam", cast.therapist)
    await store.set_client_name(cast.tenant, sorted(cast.clients, key=str)[-1], "Not on this page", cast.therapist)

    page = await queries.caseload(therapist, BY_CLIENT, CaseloadFilter(), None, 2)

    assert [r.client_id for r in page.rows] == [first, second] and page.next_key is not None
    assert page.names == {first: "Sam"}
    assert store.audited_rows == [
        ("read", "caseload", cast.therapist, None),
        ("read", "caseload_entry", first, first),
        ("read", "caseload_entry", second, second),
    ]


async def test_only_therapists_have_a_caseload_and_only_a_teams_supervisors_its_caseload_and_outcomes() -> None:
    cast, store, queries = await scripted()
    client = person(cast, cast.clients[0], Role.CLIENT)
    other_supervisor = person(cast, uuid4(), Role.SUPERVISOR, teams=frozenset({cast.small_team}))
    period = Period(date(2026, 1, 1), date(2026, 4, 30))

    with pytest.raises(Problem) as caseload:
        await queries.caseload(client, BY_CLIENT, CaseloadFilter(), None, 10)
    with pytest.raises(Problem) as team:
        await queries.team_caseload(other_supervisor, cast.team, BY_CLIENT, CaseloadFilter(), None, 10)
    with pytest.raises(Problem) as outcomes:
        await queries.outcomes(other_supervisor, cast.team, period, export=True)

    assert [p.status for p in (caseload.value, team.value, outcomes.value)] == [403, 403, 403]
    assert [p.extra["field"] for p in (team.value, outcomes.value)] == ["team_id", "team_id"]
    assert [r[1] for r in store.refused] == ["caseload", "team_caseload", "service_outcomes_csv"]
    assert store.audited_rows == []


async def test_a_supervisor_reads_their_teams_caseload_and_exports_its_outcomes_audited_as_an_export() -> None:
    cast, store, queries = await scripted()
    supervisor = person(cast, cast.supervisor, Role.SUPERVISOR, teams=frozenset({cast.team}))

    page = await queries.team_caseload(supervisor, cast.team, BY_CLIENT, CaseloadFilter(), None, 100)
    metrics = await queries.outcomes(supervisor, cast.team, Period(date(2026, 1, 1), date(2026, 4, 30)), export=True)

    assert {r.client_id for r in page.rows} == set(cast.clients)
    assert metrics
    assert store.audited_rows[0] == ("read", "team_caseload", cast.team, None)
    assert store.audited_rows[-1] == ("export", "service_outcomes_csv", cast.team, None)
    assert store.seen == set()  # a supervisor's look marks no signal seen for the therapist


async def test_a_clients_preferred_name_is_set_and_read_by_their_clinicians_only() -> None:
    cast, store, queries = await scripted()
    c0 = cast.clients[0]
    therapist, relative = person(cast, cast.therapist, Role.THERAPIST), person(cast, cast.family, Role.FAMILY)

    with pytest.raises(Problem):
        await queries.set_client_name(relative, c0, "Sammy")
    await queries.set_client_name(therapist, c0, "Sam")

    assert await queries.client_name(therapist, c0) == "Sam"
    with pytest.raises(Problem):
        await queries.client_name(relative, c0)
    assert [r[:2] for r in store.audited_rows] == [("write", "client_name"), ("read", "client_name")]
    assert [r[1] for r in store.refused] == ["client_name", "client_name"]
