"""The chart, the FHIR Bundle and the CSV, made from the scripted history."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from reporting_fakes import InMemoryProjections
from reporting_scenario import Cast, period, script

from accord.reporting.adapters.csv_export import outcomes_csv
from accord.reporting.adapters.fhir_export import GOAL_ACCEPTANCE, PERTAINS_TO_GOAL, client_bundle
from accord.reporting.domain.chart import goal_chart
from accord.reporting.domain.goals import GoalState, goal_states
from accord.reporting.domain.measures import OutcomeRules
from accord.reporting.domain.outcomes import Period, service_outcomes

NOW = datetime(2025, 3, 12, 10, 30, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@pytest.fixture(scope="module")
def cast() -> Cast:
    return Cast()


@pytest.fixture(scope="module")
def store(cast: Cast) -> InMemoryProjections:
    return InMemoryProjections().apply(script(cast, NOW))


def goals_of(store: InMemoryProjections, cast: Cast, client: int) -> dict[str, GoalState]:
    names = {v: k for k, v in cast.ids.items()}
    return {names[g.goal_id]: g for g in goal_states(store.history(cast.tenant, cast.clients[client]))}


def test_chart_draws_values_target_milestones_and_due_date(store: InMemoryProjections, cast: Cast) -> None:
    svg = ET.fromstring(goal_chart(goals_of(store, cast, 0)["G0b"]))  # noqa: S314 - our own output
    assert len(svg.findall(f"{SVG}circle")) == 3
    classes = [e.get("class") for e in svg.iter()]
    assert classes.count("target") == 1 and classes.count("due-date") == 1
    assert classes.count("milestone-threshold") == 2 and classes.count("milestone-reached") == 1
    assert len(svg.find(f"{SVG}polyline").get("points", "").split()) == 3  # type: ignore[union-attr]


def test_chart_of_a_goal_not_yet_agreed_says_so(store: InMemoryProjections, cast: Cast) -> None:
    svg = goal_chart(goals_of(store, cast, 5)["G5"])
    assert "No agreed measure yet" in svg and "<polyline" not in svg


def test_fhir_bundle_validates_and_links_observations_to_goals(store: InMemoryProjections, cast: Cast) -> None:
    history = store.history(cast.tenant, cast.clients[0])
    bundle = client_bundle(cast.clients[0], goal_states(history), history.questionnaires, "https://fhir.test/R4")
    parsed = Bundle.model_validate_json(bundle.model_dump_json())  # a round trip through the validating models
    resources = [e.resource for e in parsed.entry or []]
    kinds = [r.get_resource_type() for r in resources]
    assert kinds.count("Goal") == 2 and kinds.count("QuestionnaireResponse") == 5
    assert kinds.count("Observation") == 5 + 5  # entries, and questionnaire totals
    goal = next(r for r in resources if r.get_resource_type() == "Goal" and r.id == str(cast["G0b"]))
    assert (goal.lifecycleStatus, goal.achievementStatus.coding[0].code) == ("active", "improving")
    assert goal.target[0].dueDate is not None and goal.target[0].detailQuantity.value == 2
    acceptance = [x for x in goal.extension if x.url == GOAL_ACCEPTANCE]
    assert [[s.valueCode for s in x.extension if s.url == "status"] for x in acceptance] == [["agree"], ["agree"]]
    linked = [
        x.valueReference.reference
        for r in resources
        if r.get_resource_type() == "Observation"
        for x in r.extension or []
        if x.url == PERTAINS_TO_GOAL
    ]
    assert sorted(linked) == sorted([f"Goal/{cast['G0a']}"] * 2 + [f"Goal/{cast['G0b']}"] * 3)


def test_fhir_goal_awaiting_agreement_shows_who_is_pending(store: InMemoryProjections, cast: Cast) -> None:
    history = store.history(cast.tenant, cast.clients[5])
    bundle = client_bundle(cast.clients[5], goal_states(history), (), "https://fhir.test/R4")
    goal = next(e.resource for e in bundle.entry or [] if e.resource.id == str(cast["G5"]))
    statuses = {x.extension[0].valueReference.reference: x.extension[1].valueCode for x in goal.extension or []}
    assert statuses == {f"Patient/{cast.clients[5]}": "agree", f"Practitioner/{cast.therapist}": "pending"}
    assert goal.lifecycleStatus == "proposed"


def test_csv_has_figures_and_no_identifiers(store: InMemoryProjections, cast: Cast) -> None:
    histories = [store.history(cast.tenant, c) for c in store.clients(cast.tenant)]
    team, small = (Period(*period(NOW)),) * 2
    text = outcomes_csv(service_outcomes(histories, cast.team, team, OutcomeRules()), team)
    assert not UUID_PATTERN.search(text) and cast.tenant not in text
    lines = text.splitlines()
    assert lines[0] == "metric,unit,value,clients,suppressed,period_start,period_end"
    assert lines[1].startswith("goals_agreed,count,6,5,false,")
    assert lines[4].startswith("milestones_reached,count,6,5,false,")
    withheld = outcomes_csv(service_outcomes(histories, cast.small_team, small, OutcomeRules()), small)
    assert all(",,,true," in line for line in withheld.splitlines()[1:])
