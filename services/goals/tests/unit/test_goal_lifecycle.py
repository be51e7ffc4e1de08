from uuid import uuid4

import pytest
from goals_factories import NOW, TODAY, content, episode

from accord.goals.domain.errors import Invalid, LimitReached, NotAllowed, NotFound, WrongState
from accord.goals.domain.goals import Goal, GoalStatus, VersionState, fhir_lifecycle_status
from accord.goals.domain.smart import check
from accord.shared.events.contracts import goals as ev
from accord.shared.events.contracts.common import Visibility

AGREE, DECLINE = ev.Decision.AGREE, ev.Decision.DECLINE


def proposed(ep=None, goal_content=None):  # type: ignore[no-untyped-def]
    ep = ep or episode()
    c = goal_content or content()
    goal = Goal.draft(uuid4(), ep, ep.client_id, c, NOW)
    goal.propose(ep, ep.client_id, check(c, TODAY), None, goals_in_play=0, limit=5, now=NOW)
    return ep, goal


def agreed(ep=None):  # type: ignore[no-untyped-def]
    ep, goal = proposed(ep)
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW)
    goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW)
    return ep, goal


def test_any_participant_may_draft_but_not_an_outsider() -> None:
    ep = episode()
    family = uuid4()
    ep.add_family_member(ep.lead_therapist_id, family, "parent", NOW)
    assert Goal.draft(uuid4(), ep, family, content(), NOW).status is GoalStatus.DRAFT
    with pytest.raises(NotFound):
        Goal.draft(uuid4(), ep, uuid4(), content(), NOW)


def test_proposing_needs_a_smart_goal_unless_a_therapist_overrides_with_a_reason() -> None:
    ep = episode()
    vague = content(statement="feel better")
    goal = Goal.draft(uuid4(), ep, ep.client_id, vague, NOW)
    smart = check(vague, TODAY)
    with pytest.raises(Invalid, match="not yet SMART"):
        goal.propose(ep, ep.client_id, smart, "client insists", 0, 5, NOW)  # clients cannot override
    with pytest.raises(Invalid):
        goal.propose(ep, ep.lead_therapist_id, smart, "  ", 0, 5, NOW)
    events = goal.propose(ep, ep.lead_therapist_id, smart, "We agreed to start broad and refine", 0, 5, NOW)
    assert isinstance(events[0], ev.GoalProposed) and goal.latest.smart_override_reason


def test_the_active_goal_limit_is_enforced() -> None:
    ep = episode()
    goal = Goal.draft(uuid4(), ep, ep.client_id, content(), NOW)
    with pytest.raises(LimitReached):
        goal.propose(ep, ep.client_id, check(content(), TODAY), None, goals_in_play=5, limit=5, now=NOW)


def test_agreed_only_when_every_required_party_agrees_and_then_exactly_one_goal_agreed() -> None:
    ep, goal = proposed()
    first = goal.record_agreement(ep, ep.client_id, AGREE, "yes", NOW)
    assert [type(e) for e in first] == [ev.GoalAgreementRecorded] and goal.status is GoalStatus.PROPOSED
    last = goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW)
    assert [type(e) for e in last] == [ev.GoalAgreementRecorded, ev.GoalAgreed]
    agreed_event = last[1]
    assert isinstance(agreed_event, ev.GoalAgreed) and agreed_event.version == 1
    assert [m.position for m in agreed_event.milestones] == [1, 2]
    assert goal.status is GoalStatus.ACTIVE and goal.agreed is goal.latest
    with pytest.raises(WrongState):
        goal.record_agreement(ep, ep.client_id, AGREE, "", NOW)  # nothing left to agree to


def test_a_decline_shows_and_holds_the_goal_until_that_party_agrees() -> None:
    ep, goal = proposed()
    goal.record_agreement(ep, ep.client_id, DECLINE, "too big a step", NOW)
    goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW)
    assert goal.status is GoalStatus.PROPOSED
    assert goal.latest.party_status() == {ep.client_id: "decline", ep.lead_therapist_id: "agree"}
    events = goal.record_agreement(ep, ep.client_id, AGREE, "ok with the smaller target", NOW)
    assert isinstance(events[-1], ev.GoalAgreed)


def test_named_family_members_are_required_parties_and_see_the_goal() -> None:
    ep = episode()
    mum = uuid4()
    ep.add_family_member(ep.lead_therapist_id, mum, "parent", NOW)
    _, goal = proposed(ep, content(family_party_ids=(mum,)))
    assert mum in goal.latest.party_status() and goal.shared_with == [mum]
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW)
    assert not isinstance(goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW)[-1], ev.GoalAgreed)
    assert isinstance(goal.record_agreement(ep, mum, AGREE, "", NOW)[-1], ev.GoalAgreed)


def test_someone_who_is_not_a_required_party_cannot_agree() -> None:
    ep = episode()
    dad = uuid4()
    ep.add_family_member(ep.lead_therapist_id, dad, "parent", NOW)
    _, goal = proposed(ep)
    with pytest.raises(NotFound):  # a private goal: dad cannot even know it exists
        goal.record_agreement(ep, dad, AGREE, "", NOW)
    goal.change_visibility(ep, ep.client_id, Visibility.SHARED, [dad], NOW)
    with pytest.raises(NotAllowed):
        goal.record_agreement(ep, dad, AGREE, "", NOW)


def test_a_revision_keeps_the_agreed_version_in_force_until_it_is_agreed() -> None:
    ep, goal = agreed()
    revised = content(target=6)
    goal.propose_revision(ep, ep.client_id, revised, "smaller target", check(revised, TODAY), None, NOW)
    assert goal.agreed is not None and goal.agreed.number == 1 and goal.status is GoalStatus.ACTIVE
    with pytest.raises(WrongState):
        goal.propose_revision(ep, ep.client_id, revised, "again", check(revised, TODAY), None, NOW)
    goal.record_agreement(ep, ep.client_id, AGREE, "", NOW)
    events = goal.record_agreement(ep, ep.lead_therapist_id, AGREE, "", NOW)
    agreed_event = events[-1]
    assert isinstance(agreed_event, ev.GoalAgreed) and agreed_event.version == 2 and agreed_event.target == 6
    assert [v.state for v in goal.versions] == [VersionState.SUPERSEDED, VersionState.AGREED]
    assert [h.action for h in goal.history][-1] == "recorded agree"


def test_only_the_client_decides_visibility_and_only_towards_family_in_the_episode() -> None:
    ep, goal = agreed()
    sister = uuid4()
    ep.add_family_member(ep.lead_therapist_id, sister, "sibling", NOW)
    with pytest.raises(NotAllowed):
        goal.change_visibility(ep, ep.lead_therapist_id, Visibility.SHARED, [sister], NOW)
    with pytest.raises(Invalid):
        goal.change_visibility(ep, ep.client_id, Visibility.SHARED, [uuid4()], NOW)
    goal.change_visibility(ep, ep.client_id, Visibility.SHARED, [sister], NOW)
    assert goal.visible_to(sister, ep.role_of(sister))
    goal.change_visibility(ep, ep.client_id, Visibility.PRIVATE, [], NOW)  # and take it back
    assert not goal.visible_to(sister, ep.role_of(sister)) and goal.shared_with == []


def test_pause_resume_and_close_needing_both_client_and_therapist() -> None:
    ep, goal = agreed()
    assert isinstance(goal.pause(ep, ep.client_id, NOW)[0], ev.GoalPaused)
    with pytest.raises(WrongState):
        goal.pause(ep, ep.client_id, NOW)
    assert isinstance(goal.resume(ep, ep.lead_therapist_id, NOW)[0], ev.GoalResumed)
    assert goal.request_close(ep, ep.client_id, ev.GoalOutcome.ACHIEVED, "did it", NOW) == []
    assert goal.request_close(ep, ep.lead_therapist_id, ev.GoalOutcome.PARTLY_ACHIEVED, "mostly", NOW) == []
    closed = goal.request_close(ep, ep.lead_therapist_id, ev.GoalOutcome.ACHIEVED, "agreed", NOW)
    assert isinstance(closed[0], ev.GoalClosed) and goal.status is GoalStatus.CLOSED
    assert fhir_lifecycle_status(goal) == "completed"


def test_family_cannot_pause_or_close() -> None:
    ep = episode()
    mum = uuid4()
    ep.add_family_member(ep.lead_therapist_id, mum, "parent", NOW)
    _, goal = agreed(ep)
    goal.change_visibility(ep, ep.client_id, Visibility.SHARED, [mum], NOW)
    with pytest.raises(NotAllowed):
        goal.pause(ep, mum, NOW)
    with pytest.raises(NotAllowed):
        goal.request_close(ep, mum, ev.GoalOutcome.ACHIEVED, "", NOW)


def test_lifecycle_maps_to_fhir() -> None:
    ep = episode()
    goal = Goal.draft(uuid4(), ep, ep.client_id, content(), NOW)
    assert fhir_lifecycle_status(goal) == "proposed"
    _, proposed_goal = proposed(ep)
    assert fhir_lifecycle_status(proposed_goal) == "planned"
    _, active = agreed(ep)
    assert fhir_lifecycle_status(active) == "active"
    active.pause(ep, ep.client_id, NOW)
    assert fhir_lifecycle_status(active) == "on-hold"


def test_episode_is_managed_by_its_lead_therapist_only() -> None:
    ep = episode()
    with pytest.raises(NotAllowed):
        ep.add_family_member(ep.client_id, uuid4(), "parent", NOW)
    ep.close(ep.lead_therapist_id, NOW)
    with pytest.raises(WrongState):
        Goal.draft(uuid4(), ep, ep.client_id, content(), NOW)
