"""A client's goals and progress as a FHIR R4 Bundle (R4B models: Goal, Observation, QuestionnaireResponse are R4's).

Built as plain dicts and validated by fhir.resources on the way out, so an invalid resource fails the export instead
of reaching the receiving system.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fhir.resources.R4B.bundle import Bundle

from accord.reporting.domain.goals import GoalState
from accord.reporting.domain.history import Entry, EntryKind, Questionnaire
from accord.shared.events.contracts.common import Instrument, Measure, MeasureKind, Party, Role

ACCORD = "https://accord.example/fhir/CodeSystem"
LOINC = "http://loinc.org"
GOAL_ACCEPTANCE = "http://hl7.org/fhir/StructureDefinition/goal-acceptance"
PERTAINS_TO_GOAL = "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal"
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}
PANEL = {Instrument.PHQ9: "44249-1", Instrument.GAD7: "69737-5"}
TOTAL = {Instrument.PHQ9: "44261-6", Instrument.GAD7: "70274-6"}
RESOURCE_OF_ROLE = {Role.CLIENT: "Patient", Role.FAMILY: "RelatedPerson"}


def _person(person_id: UUID, role: Role | None) -> dict[str, str]:
    kind = RESOURCE_OF_ROLE.get(role, "Practitioner") if role else "Practitioner"
    return {"reference": f"{kind}/{person_id}"}


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _measure_code(measure: Measure) -> dict[str, Any]:
    if measure.instrument is not None:
        return {"coding": [{"system": LOINC, "code": TOTAL[measure.instrument]}]}
    code = measure.kind.value if measure.unit_code is None else f"{measure.kind.value}:{measure.unit_code}"
    return {"coding": [{"system": f"{ACCORD}/measure", "code": code}]}


def _acceptance(party: Party, status: str) -> dict[str, Any]:
    return {
        "url": GOAL_ACCEPTANCE,
        "extension": [
            {"url": "individual", "valueReference": _person(party.person_id, party.role)},
            {"url": "status", "valueCode": status},
        ],
    }


def _goal(goal: GoalState, patient: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": str(goal.goal_id),
        "lifecycleStatus": goal.lifecycle.value,
        "subject": patient,
        "statusDate": goal.status_date.date().isoformat(),
        "extension": [_acceptance(a.party, a.status.value) for a in goal.acceptance],
        # The wording stays with the goals service: the export names the goal's category only.
        "description": {"text": "Goal proposed, not yet agreed"},
    }
    if goal.achievement is not None:
        resource["achievementStatus"] = {"coding": [{"system": ACHIEVEMENT, "code": goal.achievement.value}]}
    roles = {a.party.person_id: a.party.role for a in goal.acceptance}
    if goal.proposed_by is not None:
        resource["expressedBy"] = _person(goal.proposed_by, roles.get(goal.proposed_by))
    if (current := goal.current) is not None:
        resource["description"] = {"coding": [{"system": f"{ACCORD}/goal-category", "code": current.category_code}]}
        resource["startDate"] = (goal.first_agreed_at or current.agreed_at).date().isoformat()
        resource["target"] = [
            {
                "measure": _measure_code(current.measure),
                "detailQuantity": {"value": current.target},
                "dueDate": current.due_date.isoformat(),
            }
        ]
    if goal.entries:
        resource["outcomeReference"] = [{"reference": f"Observation/{e.entry_id}"} for e in goal.entries]
    return resource


def _observation(entry: Entry, goal: GoalState, patient: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(entry.entry_id),
        "status": "final",
        "category": [SURVEY],
        "subject": patient,
        "effectiveDateTime": _instant(entry.at),
        "performer": [_person(entry.recorded_by, entry.recorded_by_role)],
        "extension": [{"url": PERTAINS_TO_GOAL, "valueReference": {"reference": f"Goal/{goal.goal_id}"}}],
    }
    if entry.kind is EntryKind.MILESTONE_CHECK:
        resource["code"] = {"coding": [{"system": f"{ACCORD}/measure", "code": "milestone_checked"}]}
        resource["valueBoolean"] = True
    elif entry.kind is EntryKind.RATING:
        resource["code"] = {"coding": [{"system": f"{ACCORD}/measure", "code": MeasureKind.GOAL_RATING.value}]}
        resource["valueInteger"] = int(entry.value or 0)
    else:
        measure = goal.current.measure if goal.current else None
        resource["code"] = _measure_code(measure) if measure else {"coding": [{"system": f"{ACCORD}/measure"}]}
        resource["valueQuantity"] = {"value": entry.value}
    return resource


def _questionnaire(q: Questionnaire, patient: dict[str, str]) -> list[dict[str, Any]]:
    instrument = Instrument(q.instrument)
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": str(q.response_id),
        "questionnaire": f"{LOINC}/q/{PANEL[instrument]}",
        "status": "completed",
        "subject": patient,
        "authored": _instant(q.at),
        # Only the total reaches reporting: the item answers stay in the progress service.
        "item": [{"linkId": TOTAL[instrument], "answer": [{"valueInteger": q.total}]}],
    }
    score = {
        "resourceType": "Observation",
        "id": f"{q.response_id}-total",
        "status": "final",
        "category": [SURVEY],
        "code": {"coding": [{"system": LOINC, "code": TOTAL[instrument]}]},
        "subject": patient,
        "effectiveDateTime": _instant(q.at),
        "valueInteger": q.total,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{q.response_id}"}],
    }
    return [response, score]


def client_bundle(
    client_id: UUID, goals: Sequence[GoalState], questionnaires: Sequence[Questionnaire], base_url: str
) -> Bundle:
    patient = {"reference": f"Patient/{client_id}"}
    resources: list[dict[str, Any]] = [{"resourceType": "Patient", "id": str(client_id)}]
    for goal in goals:
        resources.append(_goal(goal, patient))
        resources += [_observation(e, goal, patient) for e in goal.entries]
    for q in questionnaires:
        resources += _questionnaire(q, patient)
    entries = [{"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources]
    return Bundle.model_validate(
        {"type": "collection", "timestamp": _instant(datetime.now(UTC)), "entry": entries},
    )
