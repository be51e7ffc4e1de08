"""The review sweep prompts clinicians about quiet or overdue goals, once per goal version."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from progress_world import Api, CareTeam, announce, recordable

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import outbox_events
from accord.progress.adapters.repository import UnitOfWork
from accord.progress.bootstrap import settings
from accord.progress.handlers.reviews import suggest_reviews
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration


async def test_a_goal_without_entries_for_its_review_interval_prompts_one_review(
    api: Api, team: CareTeam, infra: Infra, admin_db: Any
) -> None:
    quiet = team.goal(agreed_days_ago=20, review_interval_days=14)
    lively = team.goal(agreed_days_ago=20, review_interval_days=14)
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), quiet, lively)
    await recordable(api, lively.goal_id)
    assert (await api.entry(lively.goal_id, 4, days_ago=1)).status_code == 201
    async with open_resources(settings()) as res:
        uow = UnitOfWork(res.pool, res.outbox)
        await suggest_reviews(uow, datetime.now(UTC))
        await suggest_reviews(uow, datetime.now(UTC) + timedelta(hours=1))  # a second sweep adds nothing
    events = await outbox_events(admin_db, "progress", str(team.client))
    reviews = [e for e in events if e["event_type"] == "ReviewSuggested"]
    assert [(r["payload"]["goal_id"], r["payload"]["reason"]) for r in reviews] == [
        (str(quiet.goal_id), "no_recent_entry")
    ]
