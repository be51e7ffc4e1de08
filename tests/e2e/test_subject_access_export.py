"""A subject access export through the gateway, with every service running as its own processes: two clients of
one therapist each go through a journey with distinctive values planted in every service; the first client's
export holds every one of theirs, from every service, and nothing of the other's, as separate parts and as one zip
archive; only the requester can follow or download it (parts or archive); staff can ask only with a recorded
request."""

import json
from uuid import UUID, uuid4

import httpx
import pytest
from client_journey import Person, archive, download, journey, ready_export

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


def test_a_clients_export_holds_their_data_from_every_service_and_nothing_of_another_client(
    running: RunningServices, tokens: TokenFactory
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist = Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        mine = journey(sam, therapist, f"sam{uuid4().hex[:8]}")
        theirs = journey(casey, therapist, f"casey{uuid4().hex[:8]}")

        asked = sam("POST", "/goals/exports", json={"client_id": str(sam.id)})
        assert asked.status_code == 202, asked.text
        assert asked.json()["parts_expected"] == 4 and asked.json()["parts_ready"] >= 1  # goals' part at once
        status = ready_export(sam, asked.json()["export_id"])
        assert status["parts_ready"] == status["parts_expected"] == 4
        parts = download(sam, status)

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

        # The same export as one archive: each part as its own download served it, and the FHIR bundle on its own.
        files = archive(sam, status)
        assert sorted(files) == sorted([*(f"{service}.json" for service in parts), "fhir-bundle.json"])
        assert {name.removesuffix(".json"): body for name, body in files.items() if name != "fhir-bundle.json"} == parts
        assert files["fhir-bundle.json"] == parts["reporting"]["fhir_bundle"]
        for value in theirs.values():
            assert value not in json.dumps(files)

        # Sam's asking and downloading are themselves in the goals service's access log.
        again = sam("POST", "/goals/exports", json={"client_id": str(sam.id)}).json()
        later = download(sam, ready_export(sam, again["export_id"]))
        actions = {(a["action"], a["resource_type"]) for a in later["goals"]["access_log"]}
        assert {("request", "export"), ("download", "export_part"), ("download in archive", "export_part")} <= actions


def test_an_export_is_followed_and_downloaded_only_by_whom_it_was_made_for(
    running: RunningServices, tokens: TokenFactory
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist, stranger = Person(http, tokens, tenant, "therapist"), Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        episode = therapist("POST", "/episodes", json={"client_id": str(sam.id), "team_id": str(uuid4())})
        assert episode.status_code == 201, episode.text

        status = ready_export(sam, sam("POST", "/goals/exports", json={"client_id": str(sam.id)}).json()["export_id"])
        for other in (casey, therapist, stranger):
            assert other("GET", f"/goals/exports/{status['export_id']}").status_code == 404
            for part in status["parts"]:
                refused = other("GET", part["href"].removeprefix("/api/v1"))
                assert refused.status_code == 404
                assert refused.headers["content-type"] == "application/problem+json"
            refused = other("GET", "/exports/archive", params={"export_id": status["export_id"]})
            assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
        assert archive(sam, status)["goals.json"]["client_id"] == str(sam.id)

        assert casey("POST", "/goals/exports", json={"client_id": str(sam.id)}).status_code == 404
        assert stranger("POST", "/goals/exports", json={"client_id": str(sam.id)}).status_code == 404
        unrecorded = therapist("POST", "/goals/exports", json={"client_id": str(sam.id)})
        assert unrecorded.status_code == 422 and unrecorded.json()["field"] == "request_reference"
        recorded = therapist("POST", "/goals/exports", json={"client_id": str(sam.id), "request_reference": "SAR-7"})
        assert recorded.status_code == 202, recorded.text
        made_for_therapist = ready_export(therapist, recorded.json()["export_id"])
        assert made_for_therapist["request_reference"] == "SAR-7"
        assert download(therapist, made_for_therapist)["goals"]["client_id"] == str(sam.id)
        assert sam("GET", f"/goals/exports/{made_for_therapist['export_id']}").status_code == 404
        # Each finds their own exports again (an app after a reload), newest first, and never another's.
        mine = sam("GET", "/goals/exports", params={"client_id": str(sam.id)}).json()["items"]
        assert [e["export_id"] for e in mine] == [status["export_id"]]
        theirs = therapist("GET", "/goals/exports", params={"client_id": str(sam.id)}).json()["items"]
        assert [e["export_id"] for e in theirs] == [made_for_therapist["export_id"]]
        assert casey("GET", "/goals/exports", params={"client_id": str(sam.id)}).json()["items"] == []
        assert UUID(made_for_therapist["client_id"]) == sam.id
