"""A team's alliance figures: divergences resolved within two sessions, session feedback and its change, withheld
below the small-number threshold, and per therapist only where the tenant enables it."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from accord.reporting.domain.alliance_figures import alliance_figures, alliance_report, resolved_in_time
from accord.reporting.domain.history import ClientHistory, DivergenceChange, Episode, SessionFeedback
from accord.reporting.domain.measures import OutcomeRules
from accord.reporting.domain.outcomes import Period

START = datetime(2026, 9, 1, tzinfo=UTC)
PERIOD = Period(date(2026, 9, 1), date(2026, 10, 31))
RULES = OutcomeRules(suppression_threshold=3)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def test_resolved_by_the_second_session_is_in_time_and_a_third_session_without_it_is_not() -> None:
    sessions = [day(7), day(14), day(21)]
    assert resolved_in_time(day(13), sessions, day(60)) is True
    assert resolved_in_time(day(21), sessions, day(60)) is True  # resolved in the third session's hour: not after it
    assert resolved_in_time(day(22), sessions, day(60)) is False
    assert resolved_in_time(None, sessions, day(60)) is False
    assert resolved_in_time(None, sessions[:2], day(60)) is None  # too soon to tell
    assert resolved_in_time(day(3), [], day(60)) is True


def client(
    team: UUID, lead: UUID, resolved_after: float | None, overall: list[int], first_session: float = 7
) -> ClientHistory:
    episode, goal = uuid4(), uuid4()
    changes = [DivergenceChange(goal, episode, 1, True, day(2))]
    if resolved_after is not None:
        changes.append(DivergenceChange(goal, episode, 2, False, day(2 + resolved_after)))
    feedback = tuple(
        SessionFeedback(uuid4(), episode, 8, 8, 8, o, day(first_session + 7 * i)) for i, o in enumerate(overall)
    )
    return ClientHistory(
        tenant_id="tenant-a",
        client_id=uuid4(),
        episodes=(Episode(episode, team, lead, day(0)),),
        divergences=tuple(changes),
        feedback=feedback,
    )


def by_name(metrics: list) -> dict[str, float | None]:  # type: ignore[type-arg]
    return {m.name: m.value for m in metrics}


def test_the_team_figures_count_each_decided_divergence_and_every_feedback() -> None:
    team, lead = uuid4(), uuid4()
    histories = [
        client(team, lead, 3, [8, 6, 6]),  # resolved before the first session: in time
        client(team, lead, None, [9, 9, 9]),  # three sessions and still open: not in time
        client(team, lead, 30, [7, 7, 7]),  # resolved after the third session: not in time
        client(uuid4(), lead, 1, [1, 1, 1]),  # another team's: not counted
    ]
    episodes = {h.client_id: {e.episode_id for e in h.episodes if e.team_id == team} for h in histories}
    figures = by_name(alliance_figures(histories, episodes, PERIOD, RULES))
    assert figures["divergences_resolved_within_two_sessions"] == 1 / 3
    assert figures["feedback_mean_overall"] == (8 + 6 + 6 + 9 * 3 + 7 * 3) / 9
    assert figures["feedback_mean_change"] == (-2 + 0 + 0) / 3


def test_figures_from_fewer_clients_than_the_threshold_are_withheld_and_therapists_shown_only_when_enabled() -> None:
    team, lead, other = uuid4(), uuid4(), uuid4()
    histories = [client(team, lead, 3, [8, 7]) for _ in range(3)] + [client(team, other, 3, [8, 7], 40)]
    hidden = alliance_report(histories, team, PERIOD, RULES, per_therapist=False)
    assert hidden.therapists is None
    [september, october] = [by_name(figures) for _, figures in hidden.months]
    assert september["feedback_mean_overall"] == 7.5 and october["feedback_mean_overall"] is None
    # Four clients in all, but October's one would be the difference: the total is withheld too.
    assert by_name(hidden.totals)["feedback_mean_overall"] is None
    shown = alliance_report(histories, team, PERIOD, RULES, per_therapist=True)
    assert shown.therapists is not None and set(shown.therapists) == {lead, other}
    assert all(m.suppressed for m in shown.therapists[other])
    assert [m.first_day for m, _ in shown.months] == [date(2026, 9, 1), date(2026, 10, 1)]


async def test_the_alliance_figures_are_for_the_teams_supervisors_audited_and_per_therapist_where_enabled() -> None:
    import pytest
    from reporting_fakes import InMemoryReads
    from reporting_scenario import Cast, script

    from accord.reporting.domain.alliance import AllianceRules
    from accord.reporting.domain.projection import rows_for
    from accord.reporting.entrypoints.queries import ReportingQueries
    from accord.shared.auth import Principal
    from accord.shared.events.contracts.common import Role
    from accord.shared.problems import Problem

    cast, store = Cast(), InMemoryReads()
    for envelope in script(cast, START):
        await store.add(rows_for(envelope, envelope.open()))
    supervisor = Principal(
        subject=cast.supervisor, tenant_id=cast.tenant, roles=frozenset({Role.SUPERVISOR}), teams=frozenset({cast.team})
    )
    therapist = Principal(subject=cast.therapist, tenant_id=cast.tenant, roles=frozenset({Role.THERAPIST}))

    teams_only = ReportingQueries(store.snapshot, store.refuse, RULES, AllianceRules())
    with pytest.raises(Problem) as refused:
        await teams_only.alliance(therapist, cast.team, PERIOD)
    assert refused.value.status == 403
    assert store.refused[0][:2] == ("read", "team_alliance")
    assert (await teams_only.alliance(supervisor, cast.team, PERIOD)).therapists is None
    assert store.audited_rows == [("read", "team_alliance", cast.team, None)]

    supervised = AllianceRules(per_therapist_tenants=frozenset({cast.tenant}))
    report = await ReportingQueries(store.snapshot, store.refuse, RULES, supervised).alliance(
        supervisor, cast.team, PERIOD
    )
    assert report.therapists is not None and cast.therapist in report.therapists
