"""A goal's lifecycle, achievement status and acceptance from its facts, in any order."""

import itertools
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from accord.reporting.domain.goals import Acceptance, GoalState, Lifecycle, goal_states
from accord.reporting.domain.history import ClientHistory, DecisionKind, GoalEvent, ProgressDecision
from accord.shared.events.contracts.common import Party, Role
from accord.shared.events.contracts.progress import AchievementStatus

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CLIENT, THERAPIST, GOAL, EPISODE = uuid4(), uuid4(), uuid4(), uuid4()
PARTIES = (Party(person_id=CLIENT, role=Role.CLIENT), Party(person_id=THERAPIST, role=Role.THERAPIST))


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def proposed(day: int = 0) -> GoalEvent:
    return GoalEvent(GOAL, "GoalProposed", at(day), version=1, episode_id=EPISODE, party_id=THERAPIST, parties=PARTIES)


def decided(party: UUID, decision: str, day: int) -> GoalEvent:
    return GoalEvent(GOAL, "GoalAgreementRecorded", at(day), version=1, party_id=party, decision=decision)


def state(*events: GoalEvent, decisions: tuple[ProgressDecision, ...] = ()) -> GoalState:
    history = ClientHistory("t", CLIENT, goal_events=events, decisions=decisions)
    (goal,) = goal_states(history)
    return goal


def test_a_proposal_waits_for_each_party() -> None:
    goal = state(proposed(), decided(CLIENT, "agree", 1))
    assert goal.lifecycle is Lifecycle.PROPOSED
    assert [(a.party.person_id, a.status) for a in goal.acceptance] == [
        (CLIENT, Acceptance.AGREE),
        (THERAPIST, Acceptance.PENDING),
    ]


def test_a_declined_proposal_is_rejected() -> None:
    goal = state(proposed(), decided(CLIENT, "decline", 1))
    assert goal.lifecycle is Lifecycle.REJECTED
    assert goal.acceptance[0].status is Acceptance.DISAGREE


def test_facts_that_arrive_before_the_proposal_are_kept_until_it_comes() -> None:
    early = ClientHistory("t", CLIENT, goal_events=(GoalEvent(GOAL, "GoalPaused", at(3)),))
    assert goal_states(early) == []


def test_closing_is_final_whatever_the_order_of_pause_and_resume() -> None:
    facts = [
        proposed(),
        GoalEvent(GOAL, "GoalPaused", at(5)),
        GoalEvent(GOAL, "GoalResumed", at(6)),
        GoalEvent(GOAL, "GoalClosed", at(7), outcome="no_longer_relevant"),
    ]
    for order in itertools.permutations(facts):
        goal = state(*order)
        assert (goal.lifecycle, goal.status_date) == (Lifecycle.CANCELLED, at(7))


def test_achieved_closing_overrides_the_last_status_from_progress() -> None:
    worsening = ProgressDecision(GOAL, 1, DecisionKind.STATUS_CHANGED, at(8), detail="worsening")
    goal = state(proposed(), GoalEvent(GOAL, "GoalClosed", at(7), outcome="achieved"), decisions=(worsening,))
    assert goal.achievement is AchievementStatus.ACHIEVED
    assert goal.lifecycle is Lifecycle.COMPLETED


def test_state_until_a_moment_ignores_later_facts() -> None:
    history = ClientHistory(
        "t", CLIENT, goal_events=(proposed(), GoalEvent(GOAL, "GoalClosed", at(7), outcome="achieved"))
    )
    (before,) = goal_states(history, until=at(7))
    assert before.lifecycle is Lifecycle.PROPOSED
