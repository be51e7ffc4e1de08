"""Against real Kafka and PostgreSQL: the progress worker answers an `ExportRequested` (delivered twice) by storing
one part with the client's entries, notes and journal and nothing of another client's, announcing it once by count,
and the API serves it only to the requester."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from progress_world import Api, CareTeam, announce, recordable, send_envelopes

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually, read_topic
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ExportRequested
from accord.shared.exports import count_records

pytestmark = pytest.mark.integration
FEEDBACK = {"heard": 8, "what_i_wanted": 6, "way_we_worked": 7, "overall": 7}


async def test_an_export_request_delivered_twice_stores_one_part_of_that_client_only_and_announces_it_once(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    other = CareTeam(tenant=team.tenant)
    planted: dict[str, str] = {}
    for who in (team, other):
        goal = who.goal()
        await announce(infra.bootstrap_servers, who.tenant, *who.opened(), goal)
        person_api = Api(api.http, api.tokens, who)
        await recordable(person_api, goal.goal_id)
        marker = uuid4().hex
        planted[str(who.client)] = marker
        body = {"kind": "rating", "value": 6, "occurred_at": datetime.now(UTC).isoformat(), "note": f"note {marker}"}
        assert (
            await person_api.as_(who.client, "POST", f"/progress/goals/{goal.goal_id}/entries", json=body)
        ).status_code == 201
        checkin = {"mood": 5, "text": f"journal {marker}", "occurred_at": datetime.now(UTC).isoformat()}
        assert (await person_api.as_(who.client, "POST", "/progress/checkins", json=checkin)).status_code == 201
        marked = await person_api.as_(who.therapist, "POST", f"/episodes/{who.episode}/sessions", json={})
        assert marked.status_code == 201, marked.text
        feedback = {"scores": FEEDBACK, "comment": f"feedback {marker}"}
        url = f"/episodes/{who.episode}/sessions/{marked.json()['session_id']}/feedback"
        assert (await person_api.as_(who.client, "POST", url, json=feedback)).status_code == 201

    export_id, later_id = uuid4(), uuid4()
    first, later = (
        Envelope.wrap(
            ExportRequested(
                client_id=team.client, export_id=e, requested_by=team.client, requested_at=datetime.now(UTC)
            ),
            producer="goals",
            tenant_id=team.tenant,
        )
        for e in (export_id, later_id)
    )
    # The first twice (a redelivery, which the inbox must take once), then a later one on the same partition: once
    # the later one is announced, both copies of the first have been handled.
    await send_envelopes(infra.bootstrap_servers, first, first, later)

    url = f"/progress/exports/{export_id}/part"

    async def downloaded() -> bool:
        return (await api.as_(team.client, "GET", url)).status_code == 200

    await eventually(downloaded)
    part = (await api.as_(team.client, "GET", url)).json()
    text = json.dumps(part)
    mine = planted[str(team.client)]
    assert all(f"{kind} {mine}" in text for kind in ("note", "journal", "feedback"))
    assert planted[str(other.client)] not in text
    assert part["client_id"] == str(team.client) and len(part["entries"]) == 1 and len(part["checkins"]) == 1
    assert [s["episode_id"] for s in part["sessions"]] == [str(team.episode)]
    [given] = part["session_feedback"]
    assert given["session_id"] == part["sessions"][0]["session_id"] and given["scores"] == FEEDBACK

    for someone_else in (other.client, team.therapist):
        refused = await api.as_(someone_else, "GET", url)
        assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"

    def stored(record: Any) -> bool:
        envelope = Envelope.from_bytes(record.value)
        return envelope.event_type == "ProgressExportPartStored" and envelope.payload["client_id"] == str(team.client)

    def payloads(records: list[Any]) -> list[dict[str, Any]]:
        return [Envelope.from_bytes(r.value).payload for r in records]

    def later_announced(records: list[Any]) -> bool:
        return any(p["export_id"] == str(later_id) for p in payloads(records))

    records = await read_topic(infra.bootstrap_servers, "accord.progress.v1", later_announced, keep=stored)
    [announced] = [p for p in payloads(records) if p["export_id"] == str(export_id)]
    assert announced["records"] == count_records(part) > 2
    assert set(announced) == {"client_id", "export_id", "records"}  # ids and a count: no note, no journal
