"""Who sees which questionnaire response: the client all, a relative none, a therapist those of their episodes."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from accord.reporting.domain.access import report_scope
from accord.reporting.domain.history import ClientHistory, Episode, Questionnaire
from accord.shared.events.contracts.common import Role

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CLIENT, LEAD_A, LEAD_B = uuid4(), uuid4(), uuid4()


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def episode(lead: UUID, opened: int, closed: int | None = None) -> Episode:
    return Episode(uuid4(), uuid4(), lead, day(opened), None if closed is None else day(closed))


def response(at: int, episode_id: UUID | None = None) -> Questionnaire:
    return Questionnaire(uuid4(), "PHQ-9", 12, "moderate", day(at), episode_id)


def seen_by(history: ClientHistory, viewer: UUID, role: Role) -> list[Questionnaire]:
    scope = report_scope(history, viewer, {role})
    assert scope is not None
    return scope.questionnaires(history)


def test_with_two_open_episodes_each_therapist_sees_only_the_responses_named_for_their_own() -> None:
    a, b = episode(LEAD_A, 0), episode(LEAD_B, 0)
    in_a, in_b = response(5, a.episode_id), response(6, b.episode_id)
    history = ClientHistory("t", CLIENT, (a, b), questionnaires=(in_b, in_a))
    assert seen_by(history, LEAD_A, Role.THERAPIST) == [in_a]
    assert seen_by(history, LEAD_B, Role.THERAPIST) == [in_b]
    assert seen_by(history, CLIENT, Role.CLIENT) == [in_a, in_b]  # all, in time order


def test_a_response_without_an_episode_goes_to_the_one_episode_open_when_it_was_recorded() -> None:
    b = episode(LEAD_B, 0)
    a = episode(LEAD_A, 10)  # opened after the response, b still open
    legacy = response(5)
    history = ClientHistory("t", CLIENT, (a, b), questionnaires=(legacy,))
    assert seen_by(history, LEAD_B, Role.THERAPIST) == [legacy]
    assert seen_by(history, LEAD_A, Role.THERAPIST) == []


def test_a_response_without_an_episode_recorded_while_several_or_none_were_open_is_the_clients_alone() -> None:
    a, b = episode(LEAD_A, 0), episode(LEAD_B, 0, closed=20)
    while_both, before_any = response(5), response(-3)
    history = ClientHistory("t", CLIENT, (a, b), questionnaires=(while_both, before_any))
    assert seen_by(history, LEAD_A, Role.THERAPIST) == []
    assert seen_by(history, LEAD_B, Role.THERAPIST) == []
    assert seen_by(history, CLIENT, Role.CLIENT) == [before_any, while_both]


def test_a_therapist_keeps_seeing_the_responses_of_their_episode_after_it_closes() -> None:
    a = episode(LEAD_A, 0, closed=30)
    named, legacy = response(5, a.episode_id), response(6)
    history = ClientHistory("t", CLIENT, (a,), questionnaires=(named, legacy))
    assert seen_by(history, LEAD_A, Role.THERAPIST) == [named, legacy]
