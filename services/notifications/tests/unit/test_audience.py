"""Who hears of what - the audience of every trigger, stated as tests."""

from uuid import uuid4

from accord.notifications.domain import audience
from accord.notifications.domain.audience import CareTeam, GoalAccess
from accord.notifications.domain.templates import TemplateCode
from accord.shared.events.contracts.common import Party, Role, Visibility

CLIENT, THERAPIST, MUM, DAD, STRANGER = (uuid4() for _ in range(5))
TEAM = CareTeam(CLIENT, therapists=frozenset({THERAPIST}), family=frozenset({MUM, DAD}))
PRIVATE = GoalAccess(Visibility.PRIVATE)
SHARED_WITH_MUM = GoalAccess(Visibility.SHARED, frozenset({MUM}))
PARTIES = (Party(person_id=CLIENT, role=Role.CLIENT), Party(person_id=THERAPIST, role=Role.THERAPIST))


def recipients(notices: list[audience.Notice]) -> dict[object, TemplateCode]:
    return {n.recipient_id: n.template for n in notices}


def test_a_proposed_goal_waits_for_the_other_required_parties_not_the_proposer() -> None:
    notices = audience.goal_waiting_for_view(PARTIES, proposed_by=CLIENT, team=TEAM, goal=PRIVATE)
    assert recipients(notices) == {THERAPIST: TemplateCode.GOAL_WAITING_FOR_VIEW}


def test_an_agreed_goal_is_confirmed_to_all_parties() -> None:
    notices = audience.goal_agreed(PARTIES, TEAM, PRIVATE)
    assert set(recipients(notices)) == {CLIENT, THERAPIST}
    assert set(recipients(notices).values()) == {TemplateCode.GOAL_AGREED}


def test_a_family_party_hears_of_a_goal_only_when_it_is_shared_with_them() -> None:
    parties = (*PARTIES, Party(person_id=MUM, role=Role.FAMILY), Party(person_id=DAD, role=Role.FAMILY))
    assert MUM not in recipients(audience.goal_agreed(parties, TEAM, PRIVATE))
    shared = recipients(audience.goal_agreed(parties, TEAM, SHARED_WITH_MUM))
    assert MUM in shared and DAD not in shared


def test_a_milestone_is_celebrated_by_client_and_family_on_shared_goals_and_an_update_for_the_therapist() -> None:
    notices = audience.celebration(TemplateCode.MILESTONE_CELEBRATION, TEAM, SHARED_WITH_MUM)
    assert recipients(notices) == {
        CLIENT: TemplateCode.MILESTONE_CELEBRATION,
        MUM: TemplateCode.MILESTONE_CELEBRATION,
        THERAPIST: TemplateCode.CLIENT_UPDATE,
    }
    assert [n.digestible for n in notices if n.recipient_id == THERAPIST] == [True]


def test_family_hears_nothing_of_a_private_goal() -> None:
    notices = audience.celebration(TemplateCode.TARGET_CELEBRATION, TEAM, PRIVATE)
    assert set(recipients(notices)) == {CLIENT, THERAPIST}


def test_someone_shared_with_who_is_not_on_the_team_hears_nothing() -> None:
    goal = GoalAccess(Visibility.SHARED, frozenset({STRANGER}))
    assert STRANGER not in recipients(audience.celebration(TemplateCode.MILESTONE_CELEBRATION, TEAM, goal))


def test_a_review_suggestion_goes_to_the_therapist_only() -> None:
    assert recipients(audience.review_suggested(TEAM)) == {THERAPIST: TemplateCode.REVIEW_SUGGESTED}


def test_a_safety_signal_goes_to_the_therapist_at_once_through_everything() -> None:
    notices = audience.safety_signal(TEAM)
    assert recipients(notices) == {THERAPIST: TemplateCode.SAFETY_SIGNAL}
    assert all(n.urgent and not n.digestible for n in notices)


def test_a_check_in_reminder_goes_to_the_client_only() -> None:
    assert recipients(audience.check_in_reminder(TEAM)) == {CLIENT: TemplateCode.CHECK_IN_REMINDER}


def test_a_therapist_no_longer_on_the_team_hears_nothing() -> None:
    team = CareTeam(CLIENT, family=frozenset({MUM}))
    assert recipients(audience.goal_agreed(PARTIES, team, PRIVATE)) == {CLIENT: TemplateCode.GOAL_AGREED}


def test_a_session_feedback_invitation_goes_to_the_young_person_only() -> None:
    assert recipients(audience.session_feedback(TEAM.client_id)) == {CLIENT: TemplateCode.SESSION_FEEDBACK}
