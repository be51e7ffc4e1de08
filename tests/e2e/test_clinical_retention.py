"""The end of the clinical retention period with every service running as its own processes: Sam's episode, closed
longer ago than his tenant's period, is removed by the goals sweep, and the event it announces has progress and
reporting remove their records of it too, each auditing the removal; Casey's open episode stays readable everywhere."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from client_journey import Person, fhir_text, journey, until

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import eventually
from accord.goals.bootstrap import settings
from accord.goals.entrypoints.clinical_retention import remove_expired_episodes
from accord.shared.clinical_retention import RETENTION_JOB_ID
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


async def test_an_episode_past_its_period_is_removed_from_every_service_and_an_open_one_stays(
    running: RunningServices, tokens: Any, admin_db: asyncpg.Pool
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
