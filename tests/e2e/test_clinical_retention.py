"""The end of the clinical retention period with every service running as its own processes: Sam's episode, closed
longer ago than his tenant's period, is removed by the goals sweep, and the event it announces has progress and
reporting remove their records of it too, each auditing the removal, and every service destroys its copy of the
episode's key, so that what the topics still hold of it can no longer be read; Casey's open episode stays readable
everywhere."""

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from client_journey import Person, fhir_text, journey, until

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import Record, eventually, opened, read_topic, service_keys
from accord.goals.bootstrap import settings
from accord.goals.entrypoints.clinical_retention import remove_expired_episodes
from accord.shared.clinical_retention import RETENTION_JOB_ID
from accord.shared.events.registry import EPISODE_KEYS_TOPIC
from accord.shared.events.sealing import KeyDestroyed, WrappingKeys
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


async def test_an_episode_past_its_period_is_removed_from_every_service_and_an_open_one_stays(
    running: RunningServices, tokens: Any, admin_db: asyncpg.Pool, service_env: dict[str, str]
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist = Person(http, tokens, tenant, "therapist")
        sam, casey = Person(http, tokens, tenant, "client"), Person(http, tokens, tenant, "client")
        mine = journey(sam, therapist, f"sam{uuid4().hex[:8]}")
        theirs = journey(casey, therapist, f"casey{uuid4().hex[:8]}")
        assert therapist("POST", f"/episodes/{mine['episode_id']}/close").status_code == 200
        await admin_db.execute(
            "UPDATE goals.episodes SET doc = jsonb_set(doc, '{closed_at}', to_jsonb($2::text)),"
            " closed_at = $2::timestamptz WHERE episode_id = $1",
            UUID(mine["episode_id"]),
            "2020-01-01T00:00:00Z",
        )

        # The goals worker's sweep, run now with a period of 30 days for this tenant (the running worker's is the
        # default, years); the running goals worker relays the event it puts in the outbox.
        config = settings().model_copy(update={"retention_clinical_record_days_by_tenant": {tenant: 30}})
        async with open_resources(config) as res:
            removed = await remove_expired_episodes(res, datetime.now(UTC))
        assert removed["removed_episodes"] >= 1

        assert therapist("GET", f"/episodes/{mine['episode_id']}").status_code == 404
        assert sam("GET", f"/goals/{mine['goal_id']}").status_code == 404
        until(lambda: therapist("GET", f"/progress/goals/{mine['goal_id']}").status_code != 200)
        until(lambda: mine["goal_id"] not in fhir_text(sam) and mine["response_id"] not in fhir_text(sam))
        for service in ("progress", "reporting"):
            audited = await admin_db.fetchval(
                f"SELECT count(*) FROM {service}.audit_log WHERE actor_id = $1 AND resource_id = $2",
                RETENTION_JOB_ID,
                mine["episode_id"],
            )
            assert audited == 1, service
        assert therapist("GET", f"/progress/goals/{theirs['goal_id']}").status_code == 200

        # Each service reports its removal, and the goals service notes every report.
        async def every_service_reported() -> bool:
            removed = await admin_db.fetchval(
                "SELECT removed FROM goals.episode_expiries WHERE episode_id = $1", UUID(mine["episode_id"])
            )
            return set(json.loads(removed)) == {"goals", "progress", "notifications", "reporting"}

        await eventually(every_service_reported, timeout=60)
        assert {theirs["goal_id"], theirs["response_id"]} <= fhir_text(casey)
        bootstrap = service_env["KAFKA_BOOTSTRAP_SERVERS"]
        await _sealed_for_good(bootstrap, admin_db, UUID(mine["episode_id"]), UUID(theirs["episode_id"]))


async def _sealed_for_good(bootstrap: str, admin_db: asyncpg.Pool, sams: UUID, caseys: UUID) -> None:
    """Every copy of the expired episode's key is destroyed, in every service; the open episode's is in each."""
    services = ("goals", "progress", "notifications", "reporting")
    keys = {service: await service_keys(admin_db, service) for service in services}
    for service, held in keys.items():
        assert sams in held.keys and held.keys[sams] is None, service
        assert held.keys.get(caseys) is not None, service

    def about(record: Record) -> bool:
        return json.loads(record.value or b"{}").get("episode_id") in (str(sams), str(caseys))

    def each(at_least: int) -> Callable[[list[Record]], bool]:
        def enough(found: list[Record]) -> bool:
            episodes = [json.loads(r.value or b"{}")["episode_id"] for r in found]
            return min(episodes.count(str(sams)), episodes.count(str(caseys))) >= at_least

        return enough

    # What the topics still hold of the expired episode is sealed: no clinical value in the clear, and no service can
    # open it any more; the open episode's events open with any service's key.
    for topic, at_least in (("accord.goals.v1", 4), ("accord.progress.v1", 1)):
        records = await read_topic(bootstrap, topic, until=each(at_least), keep=about, timeout=60)
        for record in records:
            envelope = json.loads(record.value or b"{}")
            assert envelope["payload"] == {} and envelope["sealed"], topic
            for held in keys.values():
                if envelope["episode_id"] == str(sams):
                    with pytest.raises(KeyDestroyed):
                        opened(record, held)
                else:
                    assert opened(record, held).payload["client_id"] == envelope["partition_key"]

    # The keys topic carries the open episode's key only wrapped: not in the clear, and it opens for that episode.
    def casey_issued(record: Record) -> bool:
        envelope = json.loads(record.value or b"{}")
        return envelope.get("event_type") == "EpisodeKeyIssued" and envelope["payload"]["episode_id"] == str(caseys)

    [issued] = await read_topic(bootstrap, EPISODE_KEYS_TOPIC, until=lambda found: len(found) >= 1, keep=casey_issued)
    caseys_key = keys["progress"].keys[caseys]
    assert caseys_key is not None and base64.b64encode(caseys_key) not in (issued.value or b"")
    payload = json.loads(issued.value or b"{}")["payload"]
    assert WrappingKeys.development().unwrap(payload["wrapping_key_id"], caseys, payload["wrapped_key"]) == caseys_key
