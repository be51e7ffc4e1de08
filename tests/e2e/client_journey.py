"""What the end-to-end tests of a client's rights share: people talking to the gateway, and a client's journey with
distinctive values planted in every service (an e-mail address, a goal's wording, a note, a journal line)."""

import io
import json
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from accord.devtools.testing import TokenFactory


def until(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Polls `check` until it returns something truthy (the services talk through Kafka: effects arrive soon)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError("the effect did not arrive in time")
        time.sleep(0.3)
    return result


class Person:
    def __init__(
        self, http: httpx.Client, tokens: TokenFactory, tenant: str, role: str, teams: Sequence[UUID] = ()
    ) -> None:
        self.id, self.http = uuid4(), http
        self.headers = tokens.bearer(self.id, [role], tenant, teams=teams)

    def __call__(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, f"/api/v1{path}", headers={**self.headers, **kw.pop("headers", {})}, **kw)


def goal_content(statement: str, why_it_matters: str, **more: Any) -> dict[str, Any]:
    """A valid goal's content rated 0-10 from 2 towards 8, due in 60 days, with `more` fields (milestones, family)."""
    return {
        "statement": statement,
        "why_it_matters": why_it_matters,
        "category_code": "daily_living",
        "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
        "baseline": 2,
        "target": 8,
        "direction": "increase",
        "due_date": (date.today() + timedelta(days=60)).isoformat(),
        "review_interval_days": 14,
        "confidence": 6,
        "expressed_by": "client",
        **more,
    }


def journey(client: Person, therapist: Person, marker: str) -> dict[str, str]:
    """A journey of `client` with `marker` in every free text and address; answers what was planted where."""
    planted = {
        "email": f"{marker}@example.org",
        "statement": f"Walk to the {marker} shop on my own each week",
        "note": f"note {marker}",
        "journal": f"journal {marker}",
    }
    assert client("POST", "/notifications/contact-points", json={"email": planted["email"]}).status_code == 201
    planted["team_id"] = str(uuid4())
    episode = therapist("POST", "/episodes", json={"client_id": str(client.id), "team_id": planted["team_id"]})
    assert episode.status_code == 201, episode.text
    episode_id = planted["episode_id"] = episode.json()["episode_id"]
    halfway = {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway", "threshold": 5}
    content = goal_content(planted["statement"], "So I can get out of the house more", milestones=[halfway])
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
    until(lambda: {planted["response_id"], "Observation"} <= fhir_text(client))
    return planted


def fhir_text(client: Person) -> set[str]:
    bundle = client("GET", f"/reporting/clients/{client.id}/fhir").json()
    resources = [e["resource"] for e in bundle.get("entry", [])]
    return {r["resourceType"] for r in resources} | {r["id"] for r in resources}


def ready_export(person: Person, export_id: str) -> dict[str, Any]:
    """The export's progress, once every service has stored its part."""

    def ready() -> dict[str, Any] | None:
        status = person("GET", f"/goals/exports/{export_id}").json()
        return status if status["ready"] else None

    result: dict[str, Any] = until(ready)
    return result


def download(person: Person, status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every part of a ready export, by service, downloaded by `person`."""
    parts = {}
    for part in status["parts"]:
        answer = person("GET", part["href"].removeprefix("/api/v1"))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"].startswith("attachment")
        parts[part["service"]] = answer.json()
    return parts


def archive(person: Person, status: dict[str, Any]) -> dict[str, Any]:
    """The ready export as one zip file downloaded by `person`: each JSON file in it, by name."""
    answer = person("GET", "/exports/archive", params={"export_id": status["export_id"]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip" and answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-disposition"].startswith('attachment; filename="accord-export-')
    with zipfile.ZipFile(io.BytesIO(answer.content)) as files:
        assert files.testzip() is None
        return {name: json.loads(files.read(name)) for name in files.namelist() if name.endswith(".json")}
