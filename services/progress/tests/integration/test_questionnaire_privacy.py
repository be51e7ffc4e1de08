"""Against real Kafka and PostgreSQL: a therapist sees a client's questionnaire results only from the care episodes
they are part of, whether they ask for the list or read the progress of a goal measured by the questionnaire."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from progress_world import Api, CareTeam, announce, recordable

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import eventually
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Instrument, Measure, MeasureKind

pytestmark = pytest.mark.integration


def opened(team: CareTeam, episode: UUID, lead: UUID, days_ago: float) -> ev.EpisodeOpened:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    return ev.EpisodeOpened(
        client_id=team.client, episode_id=episode, team_id=uuid4(), lead_therapist_id=lead, opened_at=at
    )


def phq9(episode: UUID | None = None, total_of: int = 14) -> dict[str, Any]:
    answers = [2] * 7 + [0, 0]
    answers[0] += total_of - 14
    body: dict[str, Any] = {
        "response_id": str(uuid4()),
        "instrument": "PHQ-9",
        "answers": answers,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    return body if episode is None else body | {"episode_id": str(episode)}


async def listed(api: Api, viewer: UUID, roles: list[str]) -> httpx.Response:
    headers = api.tokens.bearer(viewer, roles, api.team.tenant)
    return await api.http.get(f"/progress/clients/{api.team.client}/questionnaires", headers=headers)


async def known_to(api: Api, viewer: UUID) -> None:
    async def answered() -> bool:
        return (await listed(api, viewer, ["therapist"])).status_code == 200

    await eventually(answered)


async def test_a_therapist_who_joins_the_client_later_does_not_see_a_phq9_recorded_in_another_therapists_episode(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    other_therapist, other_episode = uuid4(), uuid4()
    await announce(infra.bootstrap_servers, team.tenant, opened(team, other_episode, other_therapist, 60))
    await known_to(api, other_therapist)
    body = phq9()
    completed = await api.as_(team.client, "POST", "/progress/questionnaires", json=body)
    assert completed.status_code == 201

    # Later the client starts a second episode with another therapist (team.therapist), the other one still open.
    await announce(infra.bootstrap_servers, team.tenant, *team.opened())
    await known_to(api, team.therapist)

    assert (await listed(api, team.therapist, ["therapist"])).json() == []
    theirs = await listed(api, other_therapist, ["therapist"])
    assert [q["response_id"] for q in theirs.json()] == [body["response_id"]]
    own = await listed(api, team.client, ["client"])
    assert [q["response_id"] for q in own.json()] == [body["response_id"]]


async def test_a_phq9_recorded_for_one_episode_reaches_neither_the_list_nor_the_goals_of_a_concurrent_one(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    other_therapist, other_episode = uuid4(), uuid4()
    scored = team.goal().model_copy(
        update={"measure": Measure(kind=MeasureKind.STANDARD_SCORE, minimum=0, maximum=27, instrument=Instrument.PHQ9)}
    )
    await announce(
        infra.bootstrap_servers,
        team.tenant,
        *team.opened(),
        scored,
        opened(team, other_episode, other_therapist, 20),
    )
    await recordable(api, scored.goal_id)
    await known_to(api, other_therapist)

    body = phq9(episode=other_episode)
    assert (await api.as_(team.client, "POST", "/progress/questionnaires", json=body)).status_code == 201

    assert (await listed(api, team.therapist, ["therapist"])).json() == []
    theirs = await listed(api, other_therapist, ["therapist"])
    assert [q["response_id"] for q in theirs.json()] == [body["response_id"]]
    progress = await api.as_(team.therapist, "GET", f"/progress/goals/{scored.goal_id}")
    assert progress.json()["series"] == []  # the PHQ-9 total is not a measurement of this episode's goal

    # Recorded for the goal's own episode, it is both listed and measured there.
    mine = phq9(episode=team.episode, total_of=12)
    assert (await api.as_(team.client, "POST", "/progress/questionnaires", json=mine)).status_code == 201
    assert [q["response_id"] for q in (await listed(api, team.therapist, ["therapist"])).json()] == [
        mine["response_id"]
    ]
    progress = await api.as_(team.therapist, "GET", f"/progress/goals/{scored.goal_id}")
    assert [p["value"] for p in progress.json()["series"]] == [12]


async def test_with_two_open_episodes_a_questionnaire_must_name_its_episode_and_only_one_of_the_clients_own(
    api: Api, team: CareTeam, infra: Infra
) -> None:
    other_therapist, other_episode = uuid4(), uuid4()
    await announce(
        infra.bootstrap_servers, team.tenant, *team.opened(), opened(team, other_episode, other_therapist, 20)
    )
    await known_to(api, team.therapist)
    await known_to(api, other_therapist)
    unnamed = await api.as_(team.client, "POST", "/progress/questionnaires", json=phq9())
    assert (unnamed.status_code, unnamed.json()["field"]) == (422, "episode_id")
    strangers = await api.as_(team.client, "POST", "/progress/questionnaires", json=phq9(episode=uuid4()))
    assert (strangers.status_code, strangers.json()["field"]) == (422, "episode_id")
    assert (await listed(api, team.client, ["client"])).json() == []
