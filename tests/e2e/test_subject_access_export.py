"""A subject access export through the gateway, with every service running as its own processes: two clients of
one therapist each go through a journey with distinctive values planted in every service; the first client's
export holds every one of theirs, from every service, and nothing of the other's; only the requester can follow
or download it; staff can ask only with a recorded request."""

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


def until(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Polls `check` until it returns something truthy (the services talk through Kafka: effects arrive soon)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError("the effect did not arrive in time")
        time.sleep(0.3)
    return result


class Person:
    def __init__(self, http: httpx.Client, tokens: TokenFactory, tenant: str, role: str) -> None:
        self.id, self.http = uuid4(), http
        self.headers = tokens.bearer(self.id, [role], tenant)

    def __call__(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, f"/api/v1{path}", headers=self.headers, **kw)


def _journey(client: Person, therapist: Person, marker: str) -> dict[str, str]:
    """A journey of `client` with `marker` in every free text and address; answers what was planted where."""
    planted = {
        "email": f"{marker}@example.org",
        "statement": f"Walk to the {marker} shop on my own each week",
        "note": f"note {marker}",
        "journal": f"journal {marker}",
    }
    assert client("POST", "/notifications/contact-points", json={"email": planted["email"]}).status_code == 201
    episode = therapist("POST", "/episodes", json={"client_id": str(client.id), "team_id": str(uuid4())})
    assert episode.status_code == 201, episode.text
    episode_id = episode.json()["episode_id"]
    content = {
        "statement": planted["statement"],
        "why_it_matters": "So I can get out of the house more",
        "category_code": "daily_living",
        "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
        "baseline": 2,
        "target": 8,
        "direction": "increase",
        "due_date": (date.today() + timedelta(days=60)).isoformat(),
        "review_interval_days": 14,
        "confidence": 6,
        "expressed_by": "client",
        "milestones": [{"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway", "threshold": 5}],
    }
    goal = client("POST", f"/episodes/{episode_id}/goals", json={"content": content})
    assert goal.status_code == 201, goal.text
    goal_id = planted["goal_id"] = goal.json()["goal_id"]
    assert client("POST", f"/goals/{goal_id}/proposal", json={}).status_code == 200
    for person in (client, therapist):
        assert person("POST", f"/goals/{goal_id}/agreements", json={"decision": "agree"}).status_code == 200
    now = datetime.now(UTC).isoformat()
    entry = {"entry_id": str(uuid4()), "kind": "rating", "value": 6, "occurred_at": now, "note": planted["note"]}
    until(lambda: client("POST", f"/progress/goals/{goal_id}/entries", json=entry).status_code == 201)
    checkin = {"mood": 4, "text": planted["journal"], "share_with_therapist": True, "occurred_at": now}
    assert client("POST", "/progress/checkins", json=checkin).status_code == 201
    questionnaire = {"instrument": "GAD-7", "answers": [1, 1, 1, 1, 1, 1, 1], "occurred_at": now}
    planted["response_id"] = client("POST", "/progress/questionnaires", json=questionnaire).json()["response_id"]
    # The therapist reads the shared journal: a read the client's access log must show.
    assert therapist("GET", f"/progress/clients/{client.id}/checkins").status_code == 200
    # The celebration reaches the client's inbox before the export is asked for, so it is in the snapshot.
    until(lambda: [i for i in client("GET", "/notifications/inbox").json()["items"] if "celebration" in i["kind"]])
    # And reporting has the questionnaire and the entry (they reach it on another topic than the export request).
    until(lambda: {planted["response_id"], "Observation"} <= _fhir_text(client))
    return planted


def _fhir_text(client: Person) -> set[str]:
    bundle = client("GET", f"/reporting/clients/{client.id}/fhir").json()
    resources = [e["resource"] for e in bundle.get("entry", [])]
    return {r["resourceType"] for r in resources} | {r["id"] for r in resources}


def _ready_export(person: Person, export_id: str) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        status = person("GET", f"/goals/exports/{export_id}").json()
        return status if status["ready"] else None

    return until(ready)


def _download(person: Person, status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    parts = {}
    for part in status["parts"]:
        answer = person("GET", part["href"].removeprefix("/api/v1"))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"].startswith("attachment")
        parts[part["service"]] = answer.json()
    return parts


def test_a_clients_export_holds_their_data_from_every_service_and_nothing_of_another_client(
    running: RunningServices, tokens: TokenFactory
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist = Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        mine = _journey(sam, therapist, f"sam{uuid4().hex[:8]}")
        theirs = _journey(casey, therapist, f"casey{uuid4().hex[:8]}")

        asked = sam("POST", "/goals/exports", json={"client_id": str(sam.id)})
        assert asked.status_code == 202, asked.text
        assert asked.json()["parts_expected"] == 4 and asked.json()["parts_ready"] >= 1  # goals' part at once
        status = _ready_export(sam, asked.json()["export_id"])
        assert status["parts_ready"] == status["parts_expected"] == 4
        parts = _download(sam, status)

        assert set(parts) == {"goals", "progress", "notifications", "reporting"}
        everything = json.dumps(parts)
        for value in theirs.values():
            assert value not in everything
        goals, progress, notifications = parts["goals"], parts["progress"], parts["notifications"]
        [goal] = goals["goals"]
        assert goal["goal_id"] == mine["goal_id"] and mine["statement"] in json.dumps(goal["doc"])
        assert {p["role"] for e in goals["episodes"] for p in e["participants"]} >= {"client"}
        assert [e["note"] for e in progress["entries"]] == [mine["note"]]
        assert [c["text"] for c in progress["checkins"]] == [mine["journal"]]
        assert [q["response_id"] for q in progress["questionnaires"]] == [mine["response_id"]]
        assert str(therapist.id) in {str(a["actor_id"]) for a in progress["access_log"]}
        assert [c["address"] for c in notifications["contact_points"]] == [mine["email"]]
        assert notifications["deliveries"] and notifications["in_app_messages"]
        fhir = {e["resource"]["id"] for e in parts["reporting"]["fhir_bundle"]["entry"]}
        assert {str(sam.id), mine["goal_id"], mine["response_id"]} <= fhir
        for part in parts.values():
            assert part["client_id"] == str(sam.id) and part["access_log"]

        # Sam's asking and downloading are themselves in the goals service's access log.
        again = sam("POST", "/goals/exports", json={"client_id": str(sam.id)}).json()
        later = _download(sam, _ready_export(sam, again["export_id"]))
        actions = {(a["action"], a["resource_type"]) for a in later["goals"]["access_log"]}
        assert {("request", "export"), ("download", "export_part")} <= actions


def test_an_export_is_followed_and_downloaded_only_by_whom_it_was_made_for(
    running: RunningServices, tokens: TokenFactory
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist, stranger = Person(http, tokens, tenant, "therapist"), Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        episode = therapist("POST", "/episodes", json={"client_id": str(sam.id), "team_id": str(uuid4())})
        assert episode.status_code == 201, episode.text

        status = _ready_export(sam, sam("POST", "/goals/exports", json={"client_id": str(sam.id)}).json()["export_id"])
        for other in (casey, therapist, stranger):
            assert other("GET", f"/goals/exports/{status['export_id']}").status_code == 404
            for part in status["parts"]:
                refused = other("GET", part["href"].removeprefix("/api/v1"))
                assert refused.status_code == 404
                assert refused.headers["content-type"] == "application/problem+json"

        assert casey("POST", "/goals/exports", json={"client_id": str(sam.id)}).status_code == 404
        assert stranger("POST", "/goals/exports", json={"client_id": str(sam.id)}).status_code == 404
        unrecorded = therapist("POST", "/goals/exports", json={"client_id": str(sam.id)})
        assert unrecorded.status_code == 422 and unrecorded.json()["field"] == "request_reference"
        recorded = therapist("POST", "/goals/exports", json={"client_id": str(sam.id), "request_reference": "SAR-7"})
        assert recorded.status_code == 202, recorded.text
        made_for_therapist = _ready_export(therapist, recorded.json()["export_id"])
        assert made_for_therapist["request_reference"] == "SAR-7"
        assert _download(therapist, made_for_therapist)["goals"]["client_id"] == str(sam.id)
        assert sam("GET", f"/goals/exports/{made_for_therapist['export_id']}").status_code == 404
        assert UUID(made_for_therapist["client_id"]) == sam.id
