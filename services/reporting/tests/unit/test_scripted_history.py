"""The scripted history through the projections and the domain, without I/O: hand-computed figures, and the same
answers whatever the order of arrival and however many copies arrive."""

from datetime import UTC, datetime
from typing import Any

import pytest
from reporting_expectations import (
    caseload_of_lead,
    check_outcomes,
    check_report_of_c0,
    check_suppressed,
    rows_as_expected,
)
from reporting_fakes import InMemoryProjections, caseload_json, outcomes_json, report_json, team_caseload_json
from reporting_scenario import Cast, period, script, shuffled_with_copies

from accord.reporting.domain.outcomes import Period
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role

NOW = datetime(2025, 3, 12, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def cast() -> Cast:
    return Cast()


@pytest.fixture(scope="module")
def envelopes(cast: Cast) -> list[Envelope]:
    return script(cast, NOW)


@pytest.fixture(scope="module")
def in_order(envelopes: list[Envelope]) -> InMemoryProjections:
    return InMemoryProjections().apply(envelopes)


def answers(store: InMemoryProjections, cast: Cast) -> dict[str, Any]:
    c0, lead = cast.clients[0], cast.therapist
    return {
        "report": report_json(store, cast.tenant, c0, lead, {Role.THERAPIST}, NOW),
        "caseload": caseload_json(store, cast.tenant, lead, NOW),
        "outcomes": outcomes_json(store, cast.tenant, cast.team, Period(*period(NOW))),
        "small": outcomes_json(store, cast.tenant, cast.small_team, Period(*period(NOW))),
    }


def test_outcomes_are_the_hand_computed_ones(in_order: InMemoryProjections, cast: Cast) -> None:
    check_outcomes(outcomes_json(in_order, cast.tenant, cast.team, Period(*period(NOW))))


def test_a_team_of_two_has_every_figure_withheld(in_order: InMemoryProjections, cast: Cast) -> None:
    check_suppressed(outcomes_json(in_order, cast.tenant, cast.small_team, Period(*period(NOW))))


def test_caseload_is_the_hand_computed_one(in_order: InMemoryProjections, cast: Cast) -> None:
    found = rows_as_expected(caseload_json(in_order, cast.tenant, cast.therapist, NOW))
    assert found == caseload_of_lead(cast, NOW)


def test_a_colleague_who_left_an_episode_keeps_only_the_client_still_shared(
    in_order: InMemoryProjections, cast: Cast
) -> None:
    rows = caseload_json(in_order, cast.tenant, cast.colleague, NOW)
    assert [r["client_id"] for r in rows] == [str(cast.clients[1])]


@pytest.mark.parametrize(("viewer", "roles"), [("client", {Role.CLIENT}), ("therapist", {Role.THERAPIST})])
def test_report_of_c0_for_those_entitled_to_all_of_it(
    in_order: InMemoryProjections, cast: Cast, viewer: str, roles: set[Role]
) -> None:
    who = cast.clients[0] if viewer == "client" else cast.therapist
    report = report_json(in_order, cast.tenant, cast.clients[0], who, roles, NOW)
    assert report is not None
    check_report_of_c0(cast, report, NOW, viewer)


def test_a_relative_sees_only_the_goal_shared_with_them(in_order: InMemoryProjections, cast: Cast) -> None:
    report = report_json(in_order, cast.tenant, cast.clients[0], cast.family, {Role.FAMILY}, NOW)
    assert report is not None
    check_report_of_c0(cast, report, NOW, "family")
    assert report_json(in_order, cast.tenant, cast.clients[1], cast.family, {Role.FAMILY}, NOW) is None


@pytest.mark.parametrize("seed", range(5))
def test_any_order_and_any_copies_give_the_same_answers(
    in_order: InMemoryProjections, envelopes: list[Envelope], cast: Cast, seed: int
) -> None:
    shuffled = InMemoryProjections().apply(shuffled_with_copies(envelopes, seed))
    assert answers(shuffled, cast) == answers(in_order, cast)


def test_a_relative_in_a_fresh_cast_sees_nothing_of_another_tenant(in_order: InMemoryProjections, cast: Cast) -> None:
    other = Cast()
    assert report_json(in_order, other.tenant, cast.clients[0], cast.therapist, {Role.THERAPIST}, NOW) is None


def test_a_team_caseload_has_a_row_per_client_with_an_open_episode_in_the_team_and_no_other(
    in_order: InMemoryProjections, cast: Cast
) -> None:
    # The lead therapist leads every episode of the team, so the team's rows are theirs; the small team's are apart.
    team = rows_as_expected(team_caseload_json(in_order, cast.tenant, cast.team, NOW))
    assert team == caseload_of_lead(cast, NOW)
    small = team_caseload_json(in_order, cast.tenant, cast.small_team, NOW)
    assert sorted(r["client_id"] for r in small) == sorted(str(c) for c in cast.small_clients)


def test_a_safety_signal_any_clinician_was_shown_is_seen_on_the_team_caseload(
    in_order: InMemoryProjections, cast: Cast
) -> None:
    c0 = cast.clients[0]
    signals = frozenset(s.signal_id for s in in_order.history(cast.tenant, c0).safety_signals)
    rows = {r["client_id"]: r for r in team_caseload_json(in_order, cast.tenant, cast.team, NOW, signals)}
    assert rows[str(c0)]["unseen_safety_signals"] == 0
    assert rows[str(cast.clients[5])]["unseen_safety_signals"] == 1


def test_each_later_questionnaire_in_a_report_has_its_change_from_the_first_and_whether_it_is_reliable(
    in_order: InMemoryProjections, cast: Cast
) -> None:
    def changes(client: Any) -> list[tuple[str, int, int | None, str | None]]:
        report = report_json(in_order, cast.tenant, client, cast.therapist, {Role.THERAPIST}, NOW)
        assert report is not None
        found = [
            (q["instrument"], q["total"], q["change_from_first"], q["reliable_change"])
            for q in report["questionnaires"]
        ]
        return sorted(found, key=lambda q: q[:2])  # scores of one day come in either order

    assert changes(cast.clients[0]) == [
        ("GAD-7", 5, -4, "improvement"),  # a fall of 4 is reliable on GAD-7 (6 on PHQ-9)
        ("GAD-7", 9, None, None),  # GAD-7 is compared with GAD-7 only
        ("PHQ-9", 8, -19, "improvement"),
        ("PHQ-9", 15, -12, "improvement"),
        ("PHQ-9", 27, None, None),
    ]
    assert changes(cast.clients[3]) == [("PHQ-9", 10, None, None), ("PHQ-9", 17, 7, "deterioration")]
    assert changes(cast.clients[2]) == [("GAD-7", 13, -1, "none"), ("GAD-7", 14, None, None)]


def test_each_questionnaire_in_a_report_carries_its_instruments_caseness_and_reliable_change_thresholds(
    in_order: InMemoryProjections, cast: Cast
) -> None:
    # The browser draws these lines on its chart: the service's settings, never a copy in the browser.
    report = report_json(in_order, cast.tenant, cast.clients[0], cast.therapist, {Role.THERAPIST}, NOW)
    assert report is not None
    thresholds = {
        (q["instrument"], q["caseness_threshold"], q["reliable_change_threshold"]) for q in report["questionnaires"]
    }
    assert thresholds == {("PHQ-9", 10, 6), ("GAD-7", 8, 4)}
