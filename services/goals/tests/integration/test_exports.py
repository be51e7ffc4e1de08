"""Against real PostgreSQL and Kafka: asking for a subject access export stores the goals service's part and an
`ExportRequested` with ids only in one transaction; the worker counts the other services' parts (a redelivered
one once) until the export is ready; only the client, or care-team staff with a recorded request, may ask."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest
from goals_api import Api, Person, cast, goal_content

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually, outbox_events
from accord.goals.bootstrap import settings, subscriptions
from accord.shared.events import Envelope, IntegrationEvent
from accord.shared.events.contracts.notifications import NotificationsExportPartStored
from accord.shared.events.contracts.progress import ProgressExportPartStored
from accord.shared.events.contracts.reporting import ReportingExportPartStored
from accord.shared.kafka import new_producer
from accord.shared.outbox.store import envelope_headers
from accord.shared.runtime import run_worker

pytestmark = pytest.mark.integration


async def _announce(infra: Infra, tenant: str, producer_name: str, event: IntegrationEvent, times: int = 1) -> None:
    envelope = Envelope.wrap(event, producer=producer_name, tenant_id=tenant)
    producer = new_producer(infra.bootstrap_servers, f"test-{producer_name}")
    await producer.start()
    try:
        for _ in range(times):
            await producer.send_and_wait(
                event.topic,
                envelope.to_bytes(),
                key=envelope.partition_key.encode(),
                headers=[(k, v.encode()) for k, v in envelope_headers(envelope).items()],
            )
    finally:
        await producer.stop()


async def test_a_clients_export_is_recorded_with_the_goals_part_and_ready_once_every_other_part_is_counted(
    api: Api, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    episode = await api.episode_with_family(c)
    goal = await api.agreed_goal(c, episode)
    asked = await api.as_(c.client, "POST", "/goals/exports", json={"client_id": str(c.client.id)})
    assert asked.status_code == 202, asked.text
    export = asked.json()
    assert (export["parts_ready"], export["parts_expected"], export["ready"]) == (1, 4, False)
    export_id = UUID(export["export_id"])

    found = await outbox_events(admin_db, "goals")
    [row] = [e for e in found if e["event_type"] == "ExportRequested" and e["payload"]["export_id"] == str(export_id)]
    assert set(row["payload"]) == {"client_id", "export_id", "requested_by", "requested_at"}

    part = await api.as_(c.client, "GET", f"/goals/exports/{export_id}/part")
    assert part.status_code == 200
    assert [g["goal_id"] for g in part.json()["goals"]] == [goal["goal_id"]]
    assert goal_content()["statement"] in part.text  # the wording of every version is the client's data
    archived = await api.as_(c.client, "GET", f"/goals/exports/{export_id}/part", params={"in_archive": "true"})
    assert archived.status_code == 200 and archived.content == part.content
    downloads = await admin_db.fetch(
        "SELECT action FROM goals.audit_log WHERE client_id = $1 AND resource_type = 'export_part' ORDER BY id",
        c.client.id,
    )
    assert [d["action"] for d in downloads] == ["download", "download in archive"]  # the archive told apart

    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings(), subscriptions(), stop=stop))
    try:
        stored = {"client_id": c.client.id, "export_id": export_id, "records": 3}
        await _announce(infra, c.client.tenant, "progress", ProgressExportPartStored(**stored), times=2)
        await _announce(infra, c.client.tenant, "notifications", NotificationsExportPartStored(**stored))
        await _announce(infra, c.client.tenant, "reporting", ReportingExportPartStored(**stored))

        async def ready() -> bool:
            return bool((await api.as_(c.client, "GET", f"/goals/exports/{export_id}")).json()["ready"])

        await eventually(ready, timeout=60)
    finally:
        stop.set()
        await worker
    status = (await api.as_(c.client, "GET", f"/goals/exports/{export_id}")).json()
    assert status["parts_ready"] == 4 and {p["service"]: p["records"] for p in status["parts"]}["progress"] == 3
    assert (await api.as_(c.therapist, "GET", f"/goals/exports/{export_id}")).status_code == 404


async def test_only_the_client_or_their_care_teams_staff_with_a_recorded_request_may_ask(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    await api.episode_with_family(c)
    body = {"client_id": str(c.client.id)}
    for outsider in (c.mum, c.other_client, c.other_therapist, c.other_tenant_therapist):
        refused = await api.as_(outsider, "POST", "/goals/exports", json=body | {"request_reference": "SAR-1"})
        assert refused.status_code == 404, outsider
    supervisor = Person(uuid4(), ["supervisor"], c.client.tenant, teams=[c.team])
    unrecorded = await api.as_(supervisor, "POST", "/goals/exports", json=body)
    assert unrecorded.status_code == 422 and unrecorded.json()["field"] == "request_reference"
    recorded = await api.as_(supervisor, "POST", "/goals/exports", json=body | {"request_reference": "SAR-9"})
    assert recorded.status_code == 202 and recorded.json()["request_reference"] == "SAR-9"
    denied = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE client_id = $1 AND action = 'request' AND NOT allowed",
        c.client.id,
    )
    assert denied == 5
    assert datetime.fromisoformat(recorded.json()["requested_at"]).tzinfo == UTC


async def test_the_list_of_ones_exports_pages_by_keyset_without_repeats_or_gaps_even_where_exports_share_a_time(
    api: Api, admin_db: asyncpg.Pool
) -> None:
    c = cast()
    await api.episode_with_family(c)
    body = {"client_id": str(c.client.id)}
    asked = []
    for _ in range(5):
        asked.append((await api.as_(c.client, "POST", "/goals/exports", json=body)).json()["export_id"])
    staff = await api.as_(c.therapist, "POST", "/goals/exports", json=body | {"request_reference": "SAR-3"})
    # Three asked at the same moment: the export id orders them.
    await admin_db.execute(
        "UPDATE goals.exports SET requested_at = now() - interval '1 hour' WHERE export_id = ANY($1::uuid[])",
        asked[1:4],
    )
    rows = await admin_db.fetch(
        "SELECT export_id::text FROM goals.exports WHERE tenant_id = $1 AND requested_by = $2"
        " ORDER BY requested_at DESC, export_id DESC",
        c.client.tenant,
        c.client.id,
    )

    pages = await api.every_page(c.client, "/goals/exports", {"client_id": str(c.client.id), "limit": 2})
    seen = [item["export_id"] for item in pages]

    assert seen == [r["export_id"] for r in rows] and sorted(seen) == sorted(asked)  # never the therapist's
    theirs = await api.as_(c.therapist, "GET", "/goals/exports", params={"client_id": str(c.client.id)})
    assert [i["export_id"] for i in theirs.json()["items"]] == [staff.json()["export_id"]]
    lists = await admin_db.fetchval(
        "SELECT count(*) FROM goals.audit_log WHERE actor_id = $1 AND action = 'list' AND resource_type = 'export'",
        c.client.id,
    )
    assert lists == 3  # one per page
    too_many = await api.as_(c.client, "GET", "/goals/exports", params={"client_id": str(c.client.id), "limit": 51})
    assert too_many.status_code == 422
    bad = await api.as_(c.client, "GET", "/goals/exports", params={"client_id": str(c.client.id), "cursor": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"
