"""The goals service's command handlers against the in-memory repository: what is saved, announced and audited."""

from uuid import UUID, uuid4

import pytest
from goals_factories import NOW, content
from goals_fakes import InMemoryRepository

from accord.goals.domain import commands as cmd
from accord.goals.domain.errors import Conflict, LimitReached, NotAllowed, NotFound
from accord.goals.domain.goals import GoalStatus
from accord.goals.handlers import commands as handle
from accord.goals.handlers.context import Context
from accord.shared.auth import Principal
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role
from accord.shared.events.sealing import WrappingKeys

TENANT = "tenant-a"


def acting(repo: InMemoryRepository, person: UUID, role: Role, limit: int = 5) -> Context:
    actor = Principal(subject=person, tenant_id=TENANT, roles=frozenset({role}))
    return Context(  # type: ignore[arg-type]
        actor=actor, repo=repo, now=NOW, active_goal_limit=limit, key_wrapping=WrappingKeys.development()
    )


async def opened(repo: InMemoryRepository) -> tuple[UUID, UUID, UUID]:
    therapist, client, episode = uuid4(), uuid4(), uuid4()
    await handle.open_episode(acting(repo, therapist, Role.THERAPIST), cmd.OpenEpisode(episode, client, uuid4()))
    return therapist, client, episode


async def test_only_a_therapist_opens_an_episode_and_a_retry_announces_nothing_new() -> None:
    repo, client, episode = InMemoryRepository(), uuid4(), uuid4()
    with pytest.raises(NotAllowed):
        await handle.open_episode(acting(repo, client, Role.CLIENT), cmd.OpenEpisode(episode, client, uuid4()))
    therapist, team = uuid4(), uuid4()
    first = acting(repo, therapist, Role.THERAPIST)
    await handle.open_episode(first, cmd.OpenEpisode(episode, client, team))
    assert [type(e) for e in first.events] == [ev.EpisodeOpened, ev.EpisodeKeyIssued]  # the key, to open its events
    retry = acting(repo, therapist, Role.THERAPIST)
    await handle.open_episode(retry, cmd.OpenEpisode(episode, client, team))
    assert retry.events == []
    with pytest.raises(Conflict):
        await handle.open_episode(acting(repo, uuid4(), Role.THERAPIST), cmd.OpenEpisode(episode, client, team))


async def test_a_goal_agreed_by_client_and_therapist_is_announced_once_and_saved_with_a_new_revision() -> None:
    repo = InMemoryRepository()
    therapist, client, episode = await opened(repo)
    goal_id = uuid4()
    drafted = await handle.draft_goal(acting(repo, client, Role.CLIENT), cmd.DraftGoal(episode, goal_id, content()))
    assert drafted.revision == 1
    await handle.propose_goal(acting(repo, client, Role.CLIENT), cmd.ProposeGoal(goal_id))
    by_client = acting(repo, client, Role.CLIENT)
    await handle.record_agreement(by_client, cmd.RecordAgreement(goal_id, ev.Decision.AGREE))
    by_therapist = acting(repo, therapist, Role.THERAPIST)
    state = await handle.record_agreement(by_therapist, cmd.RecordAgreement(goal_id, ev.Decision.AGREE))
    assert state.goal.status is GoalStatus.ACTIVE and state.revision == 4
    assert not [e for e in by_client.events if isinstance(e, ev.GoalAgreed)]
    assert [e.goal_id for e in by_therapist.events if isinstance(e, ev.GoalAgreed)] == [goal_id]
    assert [note.action for note in by_therapist.audit] == ["agree"]


async def test_a_goal_outside_the_actors_episodes_is_not_found_and_the_active_limit_counts_the_others() -> None:
    repo = InMemoryRepository()
    _, client, episode = await opened(repo)
    first, second = uuid4(), uuid4()
    for goal_id in (first, second):
        await handle.draft_goal(acting(repo, client, Role.CLIENT), cmd.DraftGoal(episode, goal_id, content()))
    with pytest.raises(NotFound):
        await handle.propose_goal(acting(repo, uuid4(), Role.CLIENT), cmd.ProposeGoal(first))
    await handle.propose_goal(acting(repo, client, Role.CLIENT, limit=1), cmd.ProposeGoal(first))
    with pytest.raises(LimitReached):
        await handle.propose_goal(acting(repo, client, Role.CLIENT, limit=1), cmd.ProposeGoal(second))


async def test_a_family_member_joining_is_saved_with_the_episode_and_announced() -> None:
    repo = InMemoryRepository()
    therapist, _, episode = await opened(repo)
    mum = uuid4()
    ctx = acting(repo, therapist, Role.THERAPIST)
    await handle.add_family_member(ctx, cmd.AddFamilyMember(episode, mum, "parent"))
    assert [type(e) for e in ctx.events] == [ev.ParticipantJoined]
    saved = await repo.episode(TENANT, episode)
    assert saved is not None and saved.role_of(mum) is Role.FAMILY


async def test_answers_given_with_agreement_are_announced_and_the_tenants_threshold_decides_divergence() -> None:
    from accord.goals.entrypoints.schemas import GoalPublic

    repo = InMemoryRepository()
    therapist, client, episode = await opened(repo)
    goal_id = uuid4()
    await handle.draft_goal(acting(repo, client, Role.CLIENT), cmd.DraftGoal(episode, goal_id, content()))
    await handle.propose_goal(acting(repo, client, Role.CLIENT), cmd.ProposeGoal(goal_id))
    by_client = acting(repo, client, Role.CLIENT)
    by_client.divergence_threshold = 3
    await handle.record_agreement(by_client, cmd.RecordAgreement(goal_id, ev.Decision.AGREE, "", 4, ev.FeelsOwn.YES))
    by_therapist = acting(repo, therapist, Role.THERAPIST)
    by_therapist.divergence_threshold = 3
    state = await handle.record_agreement(by_therapist, cmd.RecordAgreement(goal_id, ev.Decision.AGREE, "", 7))
    assert [type(e) for e in by_client.events] == [ev.GoalAgreementRecorded, ev.GoalImportanceRated]
    assert [type(e) for e in by_therapist.events] == [
        ev.GoalAgreementRecorded,
        ev.GoalImportanceRated,
        ev.GoalAgreed,
        ev.AlignmentDivergenceRaised,
    ]
    saved = await repo.goal(TENANT, goal_id)
    assert saved is not None and saved[0].divergence_raised_on == 1
    as_therapist = GoalPublic.of(state.goal, state.revision, therapist, 3).alignment
    assert [a.party for a in as_therapist.answers] == [Role.THERAPIST] and as_therapist.diverges
    as_client = GoalPublic.of(state.goal, state.revision, client, 3).alignment
    assert (as_client.spread, len(as_client.answers)) == (3, 2)
