"""The care-team view's handlers against the in-memory repository: who is on a client's team, what a closed goal
does, which entries count as having checked in."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from notifications_fakes import InMemoryCareTeams

from accord.notifications.handlers import care_team
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts import progress as pev
from accord.shared.events.contracts.common import Role
from accord.shared.inbox import Delivered

TENANT = "tenant-n"
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)


def wrapped(event: object) -> Envelope:
    return Envelope.wrap(event, producer="goals", tenant_id=TENANT)  # type: ignore[arg-type]


async def opened(teams: InMemoryCareTeams, client: UUID, therapist: UUID) -> UUID:
    episode = uuid4()
    e = ev.EpisodeOpened(
        client_id=client, episode_id=episode, team_id=uuid4(), lead_therapist_id=therapist, opened_at=NOW
    )
    await care_team.on_episode_opened(teams, wrapped(e), e)
    return episode


async def test_a_family_member_is_on_the_team_while_they_take_part_and_not_after_they_left() -> None:
    teams, client, therapist, mum = InMemoryCareTeams(), uuid4(), uuid4(), uuid4()
    episode = await opened(teams, client, therapist)
    joined = ev.ParticipantJoined(client_id=client, episode_id=episode, person_id=mum, role=Role.FAMILY)
    await care_team.on_participant_joined(teams, wrapped(joined), joined)
    team = await teams.team_of_client(TENANT, client)
    assert (team.therapists, team.family) == ({therapist}, {mum})

    left = ev.ParticipantLeft(client_id=client, episode_id=episode, person_id=mum)
    await care_team.on_participant_left(teams, wrapped(left), left)
    assert (await teams.team_of_episode(TENANT, client, episode)).family == frozenset()


async def test_a_closed_episode_still_names_its_team_when_the_client_has_no_open_one() -> None:
    teams, client, therapist = InMemoryCareTeams(), uuid4(), uuid4()
    episode = await opened(teams, client, therapist)
    teams.add_goal(TENANT, goal := uuid4(), client, episode)
    closed = ev.EpisodeClosed(client_id=client, episode_id=episode, closed_at=NOW)
    await care_team.on_episode_closed(teams, wrapped(closed), closed)
    assert (await teams.team_of_client(TENANT, client)).therapists == {therapist}
    resumed = ev.GoalResumed(client_id=client, goal_id=goal, resumed_by=therapist)
    await care_team.on_goal_resumed(teams, wrapped(resumed), resumed)
    assert teams.goals[goal]["status"] == "closed"  # a closed goal stays closed


async def test_only_the_clients_own_entries_count_as_having_checked_in_and_a_batch_of_them_is_one_write() -> None:
    teams, client, therapist, goal, other = InMemoryCareTeams(), uuid4(), uuid4(), uuid4(), uuid4()
    by_therapist = pev.GoalRatingRecorded(
        client_id=client, entry_id=uuid4(), goal_id=goal, goal_version=1, rating=5, occurred_at=NOW,
        recorded_by=therapist, recorded_by_role=Role.THERAPIST,
    )  # fmt: skip
    await care_team.on_client_entries(teams, [delivered(by_therapist)])
    assert goal not in teams.last_entry_at
    earlier = by_therapist.model_copy(
        update={"recorded_by": client, "recorded_by_role": Role.CLIENT, "occurred_at": NOW - timedelta(days=2)}
    )
    later = earlier.model_copy(update={"occurred_at": NOW - timedelta(days=1)})
    elsewhere = earlier.model_copy(update={"goal_id": other})
    latest_by_therapist = by_therapist.model_copy(update={"occurred_at": NOW + timedelta(days=1)})
    writes = teams.entry_writes
    # In either order, the latest of the client's own is kept, for each goal, in one write for the batch.
    await care_team.on_client_entries(teams, [delivered(e) for e in (later, latest_by_therapist, earlier, elsewhere)])
    assert teams.last_entry_at == {goal: NOW - timedelta(days=1), other: NOW - timedelta(days=2)}
    assert teams.entry_writes == writes + 1
    await care_team.on_client_entries(teams, [delivered(earlier)])
    assert teams.last_entry_at[goal] == NOW - timedelta(days=1)  # an older entry later changes nothing


def delivered(event: pev.GoalRatingRecorded) -> Delivered:
    return Delivered(wrapped(event), event)
