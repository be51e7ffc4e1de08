"""Against real Kafka and PostgreSQL: `EpisodeRecordsExpired` (delivered twice) removes, once, exactly the expired
episode's records in progress (goal view, entries with their notes, decisions, questionnaire responses, sessions and
feedback, members) and the audit rows older than the period about them, and audits the removal as the retention job.
The client's other episode, their check-ins (an episode of theirs is left) and another client's records stay."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from progress_world import Api, CareTeam, announce, recordable, send_envelopes

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually
from accord.shared.clinical_retention import RETENTION_JOB_ID
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import EpisodeRecordsExpired, ParticipantJoined

pytestmark = pytest.mark.integration
FEEDBACK = {"heard": 8, "what_i_wanted": 6, "way_we_worked": 7, "overall": 7}
BY_EPISODE = {
    "episodes": "SELECT count(*) FROM progress.episodes WHERE episode_id = $1",
    "members": "SELECT count(*) FROM progress.episode_members WHERE episode_id = $1",
    "goals": "SELECT count(*) FROM progress.goals WHERE episode_id = $1",
    "entries": "SELECT count(*) FROM progress.entries WHERE goal_id IN"
    " (SELECT goal_id FROM progress.goals WHERE episode_id = $1)",
    "questionnaires": "SELECT count(*) FROM progress.questionnaires WHERE episode_id = $1",
    "sessions": "SELECT count(*) FROM progress.sessions WHERE episode_id = $1",
    "session_feedback": "SELECT count(*) FROM progress.session_feedback WHERE episode_id = $1",
}


async def counts(db: asyncpg.Pool, episode: UUID) -> dict[str, int]:
    return {kind: await db.fetchval(sql, episode) for kind, sql in BY_EPISODE.items()}


async def in_care(api: Api, infra: Infra, team: CareTeam) -> None:
    """The episode announced with an agreed goal, and a note, a questionnaire, a session and its feedback in it."""
    goal = team.goal()
    await announce(infra.bootstrap_servers, team.tenant, *team.opened(), goal)
    mine = Api(api.http, api.tokens, team)
    await recordable(mine, goal.goal_id)
    assert (await mine.entry(goal.goal_id, 6)).status_code == 201
    response = {
        "response_id": str(uuid4()),
        "instrument": "PHQ-9",
        "answers": [1] * 9,
        "occurred_at": datetime.now(UTC).isoformat(),
        "episode_id": str(team.episode),
    }
    assert (await mine.as_(team.client, "POST", "/progress/questionnaires", json=response)).status_code == 201
    marked = await mine.as_(team.therapist, "POST", f"/episodes/{team.episode}/sessions", json={})
    assert marked.status_code == 201, marked.text
    url = f"/episodes/{team.episode}/sessions/{marked.json()['session_id']}/feedback"
    assert (await mine.as_(team.client, "POST", url, json={"scores": FEEDBACK})).status_code == 201


async def test_an_expired_episode_delivered_twice_removes_that_episodes_records_once_and_nothing_else(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    second = CareTeam(tenant=team.tenant, client=team.client, therapist=team.therapist, mum=team.mum)
    other = CareTeam(tenant=team.tenant)
    for who in (team, second, other):
        await in_care(api, infra, who)
    checkin = {"mood": 5, "text": "a journal", "occurred_at": datetime.now(UTC).isoformat()}
    assert (await api.as_(team.client, "POST", "/progress/checkins", json=checkin)).status_code == 201
    kept_after = datetime.now(UTC) - timedelta(days=30)
    for client in (team.client, other.client):
        await admin_db.execute(
            "UPDATE progress.audit_log SET at = now() - interval '40 days' WHERE tenant_id = $1 AND client_id = $2"
            " AND id IN (SELECT id FROM progress.audit_log WHERE client_id = $2 ORDER BY id LIMIT 2)",
            team.tenant,
            client,
        )
    expired = EpisodeRecordsExpired(
        client_id=team.client, episode_id=team.episode, expired_at=datetime.now(UTC), kept_after=kept_after
    )
    before = {e: await counts(admin_db, e) for e in (second.episode, other.episode)}
    assert all(n > 0 for n in (await counts(admin_db, team.episode)).values())
    # Twice (a redelivery, which the inbox takes once), then a later event on the same partition: once it is
    # applied, both copies have been handled.
    newcomer = uuid4()
    later = ParticipantJoined(
        client_id=team.client, episode_id=second.episode, person_id=newcomer, role=Role.FAMILY, relationship_code="aunt"
    )
    copy, then = (Envelope.wrap(e, producer="goals", tenant_id=team.tenant) for e in (expired, later))
    await send_envelopes(infra.bootstrap_servers, copy, copy, then)

    async def applied() -> bool:
        return bool(
            await admin_db.fetchval(
                "SELECT count(*) FROM progress.episode_members WHERE episode_id = $1 AND person_id = $2",
                second.episode,
                newcomer,
            )
        )

    await eventually(applied)
    assert set((await counts(admin_db, team.episode)).values()) == {0}
    after = {e: await counts(admin_db, e) for e in (second.episode, other.episode)}
    before[second.episode]["members"] += 1  # the newcomer
    assert after == before
    assert await admin_db.fetchval("SELECT count(*) FROM progress.checkins WHERE client_id = $1", team.client) == 1
    old = "SELECT count(*) FROM progress.audit_log WHERE client_id = $1 AND at < now() - interval '35 days'"
    assert await admin_db.fetchval(old, team.client) == 0
    assert await admin_db.fetchval(old, other.client) == 2
    [removal] = await admin_db.fetch(
        "SELECT action, resource_id, reason FROM progress.audit_log WHERE client_id = $1 AND actor_id = $2",
        team.client,
        RETENTION_JOB_ID,
    )
    assert (removal["action"], removal["resource_id"]) == ("remove expired records", str(team.episode))
    assert "entries: 1" in removal["reason"] and "audit_log: 2" in removal["reason"]
