"""Importance and ownership per party, and divergence, at their edges: a prompt to talk, never a score of anyone."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from goals_factories import NOW, TODAY, content, episode

from accord.goals.domain.alignment import Answer, alignment, diverges, seen_by, spread_of
from accord.goals.domain.episodes import Episode
from accord.goals.domain.errors import Invalid
from accord.goals.domain.goals import Goal
from accord.goals.domain.smart import check
from accord.shared.events import IntegrationEvent
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Role

AGREE = ev.Decision.AGREE


def answer(importance: int | None, feels_own: ev.FeelsOwn | None = None, shared: bool = False) -> Answer:
    return Answer(importance=importance, feels_own=feels_own, share_with_others=shared, at=NOW)


def with_family() -> tuple[Episode, Goal, UUID]:
    ep = episode()
    mum = uuid4()
    ep.add_family_member(ep.lead_therapist_id, mum, "parent", NOW)
    c = content(family_party_ids=(mum,))
    goal = Goal.draft(uuid4(), ep, ep.client_id, c, NOW)
    goal.propose(ep, ep.client_id, check(c, TODAY), None, goals_in_play=0, limit=5, now=NOW)
    return ep, goal, mum


def of_type(events: list[IntegrationEvent], kind: type) -> list[IntegrationEvent]:
    return [e for e in events if isinstance(e, kind)]


@pytest.mark.parametrize(("importances", "expected"), [([2, 6], True), ([2, 5], False), ([0, 10], True)])
def test_a_spread_exactly_at_the_threshold_diverges_and_one_below_does_not(
    importances: list[int], expected: bool
) -> None:
    assert diverges(spread_of(importances), threshold=4) is expected


def test_one_party_alone_has_no_spread_and_cannot_diverge() -> None:
    assert spread_of([9]) is None and spread_of([]) is None
    assert not diverges(None, threshold=1)


def test_a_party_who_gave_no_importance_is_left_out_of_the_spread() -> None:
    whole = alignment(
        [
            (uuid4(), Role.CLIENT, answer(None, ev.FeelsOwn.NO)),
            (uuid4(), Role.THERAPIST, answer(9)),
            (uuid4(), Role.FAMILY, answer(8)),
        ],
        threshold=4,
    )
    assert (whole.spread, whole.diverges) == (1, False)
    assert [a.party for a in whole.answers] == [Role.CLIENT, Role.THERAPIST, Role.FAMILY]


def test_the_young_persons_unshared_answer_is_theirs_alone_and_its_spread_is_withheld_from_others() -> None:
    client, therapist, mum = uuid4(), uuid4(), uuid4()
    answers = [
        (client, Role.CLIENT, answer(2, ev.FeelsOwn.PARTLY)),
        (therapist, Role.THERAPIST, answer(8)),
        (mum, Role.FAMILY, answer(7)),
    ]
    own = seen_by(answers, 4, client, client)
    assert [a.party for a in own.answers] == [Role.CLIENT, Role.THERAPIST, Role.FAMILY] and own.spread == 6
    for viewer in (therapist, mum):
        other = seen_by(answers, 4, viewer, client)
        assert [a.party for a in other.answers] == [Role.THERAPIST, Role.FAMILY]
        assert other.spread is None and other.diverges  # the prompt stays; the number would give the answer away
    answers[0] = (client, Role.CLIENT, answer(2, ev.FeelsOwn.PARTLY, shared=True))
    shared = seen_by(answers, 4, mum, client)
    assert (shared.answers[0].party, shared.answers[0].importance) == (Role.CLIENT, 2) and shared.spread == 6


def test_an_unshared_answer_without_importance_leaves_the_others_spread_shown() -> None:
    client = uuid4()
    answers = [
        (client, Role.CLIENT, answer(None, ev.FeelsOwn.NO)),
        (uuid4(), Role.THERAPIST, answer(8)),
        (uuid4(), Role.FAMILY, answer(3)),
    ]
    seen = seen_by(answers, 4, uuid4(), client)
    assert (seen.spread, seen.diverges, len(seen.answers)) == (5, True, 2)


def test_divergence_is_raised_once_when_the_answers_spread_to_the_threshold() -> None:
    ep, goal, mum = with_family()
    first = goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(3), threshold=4)
    assert of_type(first, ev.GoalImportanceRated) and not of_type(first, ev.AlignmentDivergenceRaised)
    second = goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW, answer(7), threshold=4)
    raised = of_type(second, ev.AlignmentDivergenceRaised)
    assert len(raised) == 1
    assert isinstance(raised[0], ev.AlignmentDivergenceRaised) and (raised[0].spread, raised[0].threshold) == (4, 4)
    third = goal.record_agreement(ep, mum, AGREE, "", NOW, answer(8), threshold=4)
    assert not of_type(third, ev.AlignmentDivergenceRaised) and not of_type(third, ev.AlignmentDivergenceResolved)
    assert goal.divergence_raised_on == 1


def test_a_revision_agreed_with_closer_answers_resolves_the_divergence_once() -> None:
    ep, goal, mum = with_family()
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(2), threshold=4)
    goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW, answer(9), threshold=4)
    goal.record_agreement(ep, mum, AGREE, "", NOW)
    later = NOW + timedelta(days=7)
    revised = content(family_party_ids=(mum,))
    goal.propose_revision(ep, ep.client_id, revised, "talked it through", check(revised, TODAY), None, later)
    client_answer = goal.record_agreement(ep, ep.client_id, AGREE, "", later, answer(6), threshold=4)
    assert not of_type(client_answer, ev.AlignmentDivergenceResolved)  # one answer on the revision: nothing to compare
    closer = goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", later, answer(8), threshold=4)
    resolved = of_type(closer, ev.AlignmentDivergenceResolved)
    assert len(resolved) == 1 and goal.divergence_raised_on is None
    assert not of_type(goal.record_agreement(ep, mum, AGREE, "", later), ev.AlignmentDivergenceResolved)


def test_a_revision_agreed_without_answers_resolves_the_divergence_it_replaces() -> None:
    ep, goal, mum = with_family()
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(0), threshold=4)
    goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW, answer(10), threshold=4)
    goal.record_agreement(ep, mum, AGREE, "", NOW)
    revised = content(family_party_ids=(mum,))
    goal.propose_revision(ep, ep.client_id, revised, "talked it through", check(revised, TODAY), None, NOW)
    events = [
        *goal.record_agreement(ep, ep.client_id, AGREE, "", NOW),
        *goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW),
    ]
    assert not of_type(events, ev.AlignmentDivergenceResolved)
    events = goal.record_agreement(ep, mum, AGREE, "", NOW)
    assert of_type(events, ev.GoalAgreed) and len(of_type(events, ev.AlignmentDivergenceResolved)) == 1


def test_the_tenants_threshold_decides() -> None:
    ep, goal, _ = with_family()
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(5), threshold=2)
    events = goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW, answer(7), threshold=2)
    assert len(of_type(events, ev.AlignmentDivergenceRaised)) == 1


def test_only_the_young_person_may_share_their_answers_and_no_answer_means_no_rating_event() -> None:
    ep, goal, _ = with_family()
    with pytest.raises(Invalid) as refused:
        goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW, answer(5, shared=True))
    assert refused.value.field == "share_answers_with_others"
    events = goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(None, shared=True))
    assert not of_type(events, ev.GoalImportanceRated)


def test_the_rating_event_carries_the_role_and_the_answers_only() -> None:
    ep, goal, _ = with_family()
    events = goal.record_agreement(ep, ep.client_id, AGREE, "", NOW, answer(6, ev.FeelsOwn.YES))
    [rated] = of_type(events, ev.GoalImportanceRated)
    assert isinstance(rated, ev.GoalImportanceRated)
    assert (rated.party, rated.importance, rated.feels_own, rated.version) == (Role.CLIENT, 6, ev.FeelsOwn.YES, 1)
    assert rated.episode_id == goal.episode_id and rated.occurred_at == NOW
