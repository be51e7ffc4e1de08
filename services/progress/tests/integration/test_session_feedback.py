"""Against real Kafka and PostgreSQL: the therapist marks a session held, the young person answers its feedback check
once, the therapist reads the answers and their trend; the family never reads them, and the comment reaches no event
and no log."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from progress_world import Api, CareTeam, announce

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually, outbox_events
from accord.progress.adapters.repository import UnitOfWork
from accord.progress.bootstrap import settings
from accord.progress.handlers.feedback_checks import schedule_feedback_checks
from accord.progress.handlers.sessions import EPISODE_NOT_KNOWN
from accord.shared.runtime import open_resources

pytestmark = pytest.mark.integration

COMMENT = "I did not like talking about my dad today"
ANSWERS = {"heard": 8, "what_i_wanted": 6, "way_we_worked": 7, "overall": 7}


async def episode_known(api: Api, team: CareTeam, infra: Infra) -> None:
    await announce(infra.bootstrap_servers, team.tenant, *team.opened())

    async def known() -> bool:
        r = await api.as_(team.therapist, "GET", f"/episodes/{team.episode}/session-feedback")
        return r.status_code == 200

    await eventually(known)


async def held(api: Api, team: CareTeam) -> UUID:
    r = await api.as_(team.therapist, "POST", f"/episodes/{team.episode}/sessions", json={})
    assert r.status_code == 201, r.text
    return UUID(r.json()["session_id"])


async def answer(
    api: Api, team: CareTeam, session: UUID, body: dict[str, Any], by: UUID | None = None
) -> httpx.Response:
    url = f"/episodes/{team.episode}/sessions/{session}/feedback"
    return await api.as_(by or team.client, "POST", url, json=body)


async def test_a_young_person_answers_a_session_once_and_a_second_answer_is_refused_with_409(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    await episode_known(api, team, infra)
    session = await held(api, team)

    first = await answer(api, team, session, {"scores": ANSWERS, "comment": COMMENT})
    assert first.status_code == 201, first.text
    assert first.json()["feedback"]["scores"] == ANSWERS
    second = await answer(api, team, session, {"scores": {k: 0 for k in ANSWERS}})
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"

    stored = await admin_db.fetch("SELECT scores FROM progress.session_feedback WHERE session_id = $1", session)
    assert [json.loads(r["scores"]) for r in stored] == [ANSWERS]  # the first answer stands


async def test_the_therapist_reads_the_answers_with_the_comment_and_the_trend(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    await episode_known(api, team, infra)
    for overall in (9, 9, 3):
        session = await held(api, team)
        body = {"scores": {**{k: overall for k in ANSWERS}}, "comment": COMMENT if overall == 3 else None}
        assert (await answer(api, team, session, body)).status_code == 201
    unanswered = await held(api, team)

    r = await api.as_(team.therapist, "GET", f"/episodes/{team.episode}/session-feedback")
    assert r.status_code == 200
    read = r.json()
    assert [s["feedback"]["mean"] if s["feedback"] else None for s in read["sessions"]] == [9, 9, 3, None]
    assert read["sessions"][-1]["session_id"] == str(unanswered)
    assert read["sessions"][2]["feedback"]["comment"] == COMMENT
    assert read["trend"] == "falling"
    assert [item["key"] for item in read["instrument"]["items"]] == list(ANSWERS)


async def test_the_family_can_neither_read_nor_give_session_feedback_and_is_not_told_it_exists(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    await episode_known(api, team, infra)
    session = await held(api, team)
    assert (await answer(api, team, session, {"scores": ANSWERS, "comment": COMMENT})).status_code == 201

    read = await api.as_(team.mum, "GET", f"/episodes/{team.episode}/session-feedback")
    assert read.status_code == 404
    assert COMMENT not in read.text and "heard" not in read.text
    # A write gets the answer of an episode not known here yet, as anyone outside it does (so nothing is learnt).
    given = await answer(api, team, session, {"scores": ANSWERS}, by=team.mum)
    assert (given.status_code, given.json()["detail"]) == (409, EPISODE_NOT_KNOWN)
    marked = await api.as_(team.mum, "POST", f"/episodes/{team.episode}/sessions", json={})
    assert marked.status_code == 409
    outsider = await api.as_(team.outsider, "GET", f"/episodes/{team.episode}/session-feedback")
    assert outsider.status_code == 404


async def test_only_the_therapist_marks_a_session_and_only_the_young_person_answers(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    await episode_known(api, team, infra)
    by_client = await api.as_(team.client, "POST", f"/episodes/{team.episode}/sessions", json={})
    assert by_client.status_code == 403
    session = await held(api, team)
    by_therapist = await answer(api, team, session, {"scores": ANSWERS}, by=team.therapist)
    assert by_therapist.status_code == 403


async def test_an_answer_missing_a_question_or_out_of_range_is_refused_naming_scores(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    await episode_known(api, team, infra)
    session = await held(api, team)
    for scores in ({"heard": 8}, {**ANSWERS, "overall": 11}, {**ANSWERS, "mood": 3}):
        r = await answer(api, team, session, {"scores": scores})
        assert (r.status_code, r.json()["field"]) == (422, "scores"), r.text
    assert (await answer(api, team, session, {"scores": ANSWERS})).status_code == 201


async def test_the_comment_reaches_neither_an_event_nor_a_log(
    api: Api,
    team: CareTeam,
    infra: Infra,
    admin_db: asyncpg.Pool,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await episode_known(api, team, infra)
    session = await held(api, team)
    refused = await answer(api, team, session, {"scores": {"heard": 99}, "comment": COMMENT})
    assert refused.status_code == 422
    assert (await answer(api, team, session, {"scores": ANSWERS, "comment": COMMENT})).status_code == 201

    events = await outbox_events(admin_db, "progress", str(team.client))
    given = [e for e in events if e["event_type"] == "SessionFeedbackGiven"]
    assert [e["payload"]["scores"] for e in given] == [ANSWERS]
    assert [e["event_type"] for e in events].count("SessionHeld") == 1
    # Fragments of the comment that no id can contain ("dad" alone is hex, so a random id could hold it).
    fragments = ("my dad", "talking about")
    assert not any(f in json.dumps(events) for f in fragments)
    captured = capsys.readouterr()
    assert not any(f in captured.out + captured.err + caplog.text for f in fragments)


async def test_a_low_or_falling_answer_raises_one_concern_event_each_and_a_steady_high_one_raises_none(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    await episode_known(api, team, infra)
    sessions = []
    for overall in (9, 9, 6, 3):  # steady, steady, falling (two below 9), low and falling
        session = await held(api, team)
        body = {"scores": {k: overall for k in ANSWERS}, "comment": COMMENT}
        assert (await answer(api, team, session, body)).status_code == 201
        sessions.append(str(session))

    events = await outbox_events(admin_db, "progress", str(team.client))
    raised = [e["payload"] for e in events if e["event_type"] == "SessionFeedbackConcernRaised"]
    assert sorted((p["session_id"], p["concern"]) for p in raised) == sorted(
        [(sessions[2], "falling"), (sessions[3], "low"), (sessions[3], "falling")]
    )
    assert all(set(p) == {"client_id", "episode_id", "session_id", "concern", "raised_at"} for p in raised)
    assert "my dad" not in json.dumps(raised)


async def test_an_episode_with_no_session_for_its_interval_gets_one_scheduled_check_and_a_marked_session_resets_it(
    api: Api, team: CareTeam, infra: Infra, admin_db: asyncpg.Pool
) -> None:
    await episode_known(api, team, infra)  # opened 30 days ago, no session marked since
    now = datetime.now(UTC)
    # Only this test's tenant asks on a schedule: other tests' episodes in the same database are left alone.
    schedule = settings().model_copy(
        update={"feedback_check_every_days": 0, "feedback_check_every_days_by_tenant": {team.tenant: 14}}
    )
    async with open_resources(settings()) as res:
        uow = UnitOfWork(res.pool, res.outbox)
        # Two workers sweeping at once, then a sweep an hour later: one check.
        first = await asyncio.gather(*(schedule_feedback_checks(uow, schedule, now) for _ in range(2)))
        later = await schedule_feedback_checks(uow, schedule, now + timedelta(hours=1))

        async def checks() -> list[dict[str, Any]]:
            events = await outbox_events(admin_db, "progress", str(team.client))
            return [e["payload"] for e in events if e["event_type"] == "FeedbackCheckScheduled"]

        [check] = await checks()
        assert (sum(first), later, check["episode_id"]) == (1, 0, str(team.episode))
        read = await api.as_(team.therapist, "GET", f"/episodes/{team.episode}/session-feedback")
        assert [(s["session_id"], s["scheduled"]) for s in read.json()["sessions"]] == [(check["session_id"], True)]
        answered = await answer(api, team, UUID(check["session_id"]), {"scores": ANSWERS})
        assert answered.status_code == 201, answered.text

        await held(api, team)  # a session marked now: the next check is 14 days from it
        assert await schedule_feedback_checks(uow, schedule, now + timedelta(days=13)) == 0
        assert await schedule_feedback_checks(uow, schedule, now + timedelta(days=15)) == 1
        assert len(await checks()) == 2
