"""Erasure through the gateway, with every service running as its own processes: Sam asks, a supervisor of his team
approves, and every service applies the decision once and says so. Afterwards his clinical records are hidden from
every read (his own and his therapist's), his app-only data (e-mail address, in-app messages) is gone, and his
analytics events from then on cannot be joined to those before, while another client's still can. Replaying the
decision event changes nothing."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from client_journey import Person, download, fhir_text, journey, ready_export, until

from accord.devtools.infra.services import RunningServices
from accord.devtools.infra.stack import Infra
from accord.devtools.testing import Record, header, read_topic
from accord.shared.events import Envelope
from accord.shared.kafka import new_producer

pytestmark = pytest.mark.integration
ANALYTICS = "accord.analytics.v1"
APPLIED = ("ProgressErasureApplied", "NotificationsErasureApplied", "ReportingErasureApplied")


def _records(infra: Infra, topic: str, keep: Any, until_found: Any = bool) -> list[Record]:
    return asyncio.run(read_topic(infra.bootstrap_servers, topic, until=until_found, keep=keep, timeout=60))


def _analytics(infra: Infra, tenant: str, until_found: Any = bool) -> list[Envelope]:
    found = _records(infra, ANALYTICS, lambda r: header(r, "tenant_id") == tenant, until_found)
    return [Envelope.from_bytes(r.value or b"") for r in found]


def _episodes_opened(infra: Infra, tenant: str, count: int) -> list[Envelope]:
    """The tenant's analytics `EpisodeOpened`s, once there are `count` of them."""

    def enough(records: list[Record]) -> bool:
        opened = [r for r in records if b"AnalyticsEpisodeOpened" in (r.value or b"")]
        return len(opened) >= count

    return [e for e in _analytics(infra, tenant, enough) if e.event_type == "AnalyticsEpisodeOpened"]


def _is_decision(record: Record, request_id: str) -> bool:
    value = record.value or b""
    return request_id.encode() in value and b'"ErasureDecided"' in value


def _applied(infra: Infra, request_id: str) -> list[Envelope]:
    """Every service's report of applying the request, as on their topics (once each has reported)."""
    found = []
    for topic, event_type in zip(
        ("accord.progress.v1", "accord.notifications.v1", "accord.reporting.v1"), APPLIED, strict=True
    ):
        records = _records(infra, topic, lambda r: request_id.encode() in (r.value or b""))
        found += [e for e in map(Envelope.from_bytes, (r.value or b"" for r in records)) if e.event_type == event_type]
    return found


async def _publish_again(infra: Infra, record: Record) -> None:
    producer = new_producer(infra.bootstrap_servers, "erasure-replay")
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers or ()))
    finally:
        await producer.stop()


def test_a_decided_erasure_hides_the_clinical_record_erases_app_data_and_shreds_the_analytics_pseudonym_once(
    running: RunningServices, tokens: Any, infra: Infra
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist, newcomer = Person(http, tokens, tenant, "therapist"), Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        mine = journey(sam, therapist, f"sam{uuid4().hex[:8]}")
        theirs = journey(casey, therapist, f"casey{uuid4().hex[:8]}")
        supervisor = Person(http, tokens, tenant, "supervisor", teams=[UUID(mine["team_id"])])
        first = _episodes_opened(infra, tenant, 2)
        before = {e.payload["client_pseudonym"] for e in first}
        assert len(before) == 2

        # Sam asks; his therapist may not decide, nor may Sam; his team's supervisor approves.
        asked = sam("POST", "/goals/erasure-requests", json={"client_id": str(sam.id)})
        assert asked.status_code == 202, asked.text
        request_id = asked.json()["request_id"]
        assert asked.json()["decision"] is None
        assert sam("GET", f"/goals/{mine['goal_id']}").status_code == 200  # nothing changes before the decision
        approve = {"decision": "approved"}
        for not_allowed in (therapist, sam):
            refused = not_allowed("POST", f"/goals/erasure-requests/{request_id}/decision", json=approve)
            assert refused.status_code == 404, refused.text
        decided = supervisor("POST", f"/goals/erasure-requests/{request_id}/decision", json=approve)
        assert decided.status_code == 200, decided.text
        again = supervisor("POST", f"/goals/erasure-requests/{request_id}/decision", json=approve)
        assert again.status_code == 409 and again.json()["field"] == "decision"

        def complete() -> dict[str, Any] | None:
            status = sam("GET", f"/goals/erasure-requests/{request_id}").json()
            return status if status["complete"] else None

        status = until(complete)
        assert status["requested_by"] == str(sam.id) and status["requested_by_roles"] == ["client"]
        assert status["decided_by"] == str(supervisor.id) and status["decision"] == "approved"
        assert {s["service"] for s in status["services"] if s["applied"]} == {
            "goals",
            "progress",
            "notifications",
            "reporting",
        }
        assert supervisor("GET", f"/goals/erasure-requests/{request_id}").status_code == 200
        assert casey("GET", f"/goals/erasure-requests/{request_id}").status_code == 404

        # The clinical record is hidden from every read, Sam's own and his therapist's; Casey's is not.
        for person in (sam, therapist):
            assert person("GET", f"/goals/{mine['goal_id']}").status_code == 404
            assert person("GET", f"/episodes/{mine['episode_id']}").status_code == 404
            # Progress answers as for a goal it has never heard of (its "not known here yet").
            unknown = person("GET", f"/progress/goals/{uuid4()}")
            hidden = person("GET", f"/progress/goals/{mine['goal_id']}")
            assert (hidden.status_code, hidden.json()["title"]) == (unknown.status_code, unknown.json()["title"])
        assert therapist("GET", f"/progress/clients/{sam.id}/checkins").status_code in (403, 404)
        assert not {mine["goal_id"], mine["response_id"]} & fhir_text(sam)  # reporting: his history reads empty
        assert {theirs["goal_id"], theirs["response_id"]} <= fhir_text(casey)
        caseload = {c["client_id"] for c in therapist("GET", "/reporting/caseload").json()["items"]}
        assert str(casey.id) in caseload and str(sam.id) not in caseload
        assert casey("GET", f"/goals/{theirs['goal_id']}").status_code == 200
        assert therapist("GET", f"/progress/clients/{casey.id}/checkins").status_code == 200

        # Sam's own export still holds his restricted records from every service that keeps them: a restriction
        # hides records from use, not from his right of access. Casey's are not in it.
        export = sam("POST", "/goals/exports", json={"client_id": str(sam.id)})
        assert export.status_code == 202, export.text
        parts = download(sam, ready_export(sam, export.json()["export_id"]))
        assert [g["goal_id"] for g in parts["goals"]["goals"]] == [mine["goal_id"]]
        assert [e["episode_id"] for e in parts["goals"]["episodes"]] == [mine["episode_id"]]
        assert [e["note"] for e in parts["progress"]["entries"]] == [mine["note"]]
        assert [c["text"] for c in parts["progress"]["checkins"]] == [mine["journal"]]
        assert [q["response_id"] for q in parts["progress"]["questionnaires"]] == [mine["response_id"]]
        exported = {e["resource"]["id"] for e in parts["reporting"]["fhir_bundle"]["entry"]}
        assert {mine["goal_id"], mine["response_id"]} <= exported
        assert not set(theirs.values()) & exported
        assert parts["notifications"]["contact_points"] == []  # erased, not restricted: nothing left to give

        # App-only data is erased.
        assert sam("GET", "/notifications/contact-points").json()["items"] == []
        assert sam("GET", "/notifications/inbox").json()["items"] == []
        assert [e.event_type for e in _applied(infra, request_id)].count("NotificationsErasureApplied") == 1

        # Analytics: a new episode of each client. Casey's is joined to her earlier events; Sam's to nothing.
        for client in (sam, casey):
            lead = newcomer if client is sam else therapist
            opened = lead("POST", "/episodes", json={"client_id": str(client.id), "team_id": str(uuid4())})
            assert opened.status_code == 201, opened.text
        after = [e for e in _episodes_opened(infra, tenant, 4) if e.event_id not in {f.event_id for f in first}]
        leads_before = {e.payload["lead_therapist_pseudonym"] for e in first}
        [sams] = [e for e in after if e.payload["lead_therapist_pseudonym"] not in leads_before]
        [caseys] = [e for e in after if e is not sams]
        assert caseys.payload["client_pseudonym"] in before
        assert sams.payload["client_pseudonym"] not in before
        shredded = sams.payload["client_pseudonym"]

        # Replaying the decision changes nothing: no service applies or reports it again, and Sam's new pseudonym
        # material is not destroyed again (a later event of his is still under the pseudonym made after the decision).
        [decision] = _records(
            infra,
            "accord.goals.v1",
            lambda r: request_id.encode() in (r.value or b"") and b"ErasureDecided" in (r.value or b""),
        )
        asyncio.run(_publish_again(infra, decision))
        opened = newcomer("POST", "/episodes", json={"client_id": str(sam.id), "team_id": str(uuid4())})
        assert opened.status_code == 201, opened.text
        latest = _episodes_opened(infra, tenant, 5)
        assert [e.payload["client_pseudonym"] for e in latest].count(shredded) == 2
        assert sorted(e.event_type for e in _applied(infra, request_id)) == sorted(APPLIED)
        assert sam("GET", f"/goals/erasure-requests/{request_id}").json()["services"] == status["services"]

        # The restriction lifted by a supervisor (its grounds ended): every service uses Sam's record again, and what
        # was erased stays erased. Sam cannot lift it; it is lifted once; the reason goes into no event.
        reason = {"reason": "The disputed entry was corrected"}
        lift = f"/goals/erasure-requests/{request_id}/restriction-lift"
        assert sam("POST", lift, json=reason).status_code == 404
        lifted = supervisor("POST", lift, json=reason)
        assert lifted.status_code == 200, lifted.text
        assert (lifted.json()["lifted_by"], lifted.json()["reason"]) == (str(supervisor.id), reason["reason"])
        twice = supervisor("POST", lift, json=reason)
        assert twice.status_code == 409 and twice.json()["field"] == "request_id"
        until(lambda: therapist("GET", f"/progress/goals/{mine['goal_id']}").status_code == 200)
        until(lambda: str(sam.id) in {c["client_id"] for c in therapist("GET", "/reporting/caseload").json()["items"]})
        for person in (sam, therapist):
            assert person("GET", f"/goals/{mine['goal_id']}").status_code == 200
        assert until(lambda: {mine["goal_id"], mine["response_id"]} <= fhir_text(sam))
        assert sam("GET", "/notifications/contact-points").json()["items"] == []  # erased, so still gone

        # This request's lift only: other tests on the session's stack (the clinician journey) lift restrictions too.
        def this_lift(r: Record) -> bool:
            return b"RestrictionLifted" in (r.value or b"") and request_id.encode() in (r.value or b"")

        [announced] = _records(infra, "accord.goals.v1", this_lift)
        assert b"disputed" not in (announced.value or b"")

        # Each service reports the lift applied, as it did the decision; the request shows who lifted it and when.
        def lift_complete() -> dict[str, Any] | None:
            status = supervisor("GET", f"/goals/erasure-requests/{request_id}").json()
            return status if status["lift_complete"] else None

        after = until(lift_complete)
        assert (after["lifted_by"], after["lifted_by_roles"]) == (str(supervisor.id), ["supervisor"])
        assert after["lifted_at"] == lifted.json()["lifted_at"]
        assert {s["service"] for s in after["lift_services"] if s["applied"]} == {
            "goals",
            "progress",
            "notifications",
            "reporting",
        }
        assert after["services"] == status["services"] and after["complete"]  # the decision's completions stay
