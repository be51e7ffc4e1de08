"""Early warnings at their edges: a divergence open until resolved, feedback low below the tenant's line, falling by
two over the last three; each one on the caseload with a suggested step and treated like a suggested review."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from reporting_fakes import InMemoryProjections, report_json
from reporting_scenario import Cast, Script

from accord.reporting.domain.alliance import (
    SuggestedStep,
    WarningKind,
    feedback_falling,
    feedback_low,
    open_divergences,
)
from accord.reporting.domain.caseload import CaseloadFilter, caseload_row, team_caseload_row
from accord.reporting.domain.goals import goal_states
from accord.reporting.domain.history import DivergenceChange, SessionFeedback
from accord.reporting.domain.projection import TABLES, session_feedback_rows
from accord.shared.events import Envelope
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts.common import Role

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
EPISODE = uuid4()


def answers(*overall: int) -> list[SessionFeedback]:
    return [
        SessionFeedback(uuid4(), EPISODE, 8, 8, 8, score, NOW - timedelta(days=7 * (len(overall) - i)))
        for i, score in enumerate(overall)
    ]


@pytest.mark.parametrize(("overall", "low"), [((5,), True), ((6,), False), ((2, 9), False), ((9, 5), True)])
def test_feedback_is_low_only_when_the_latest_overall_answer_is_below_the_line(
    overall: tuple[int, ...], low: bool
) -> None:
    assert feedback_low(answers(*overall), below=6) is low


def test_no_feedback_is_neither_low_nor_falling() -> None:
    assert not feedback_low([], below=6) and not feedback_falling([])


@pytest.mark.parametrize(
    ("overall", "falling"),
    [
        ((9,), False),  # one answer cannot fall
        ((9, 7), True),  # exactly two points
        ((9, 8), False),  # one point
        ((9, 8, 7), True),  # two over the last three
        ((10, 8, 8, 8), False),  # the drop is older than the last three
        ((6, 9, 7), True),  # from the highest before it, not the first
        ((7, 5, 9), False),  # rising again
    ],
)
def test_feedback_is_falling_when_the_latest_is_two_below_the_highest_of_the_last_three(
    overall: tuple[int, ...], falling: bool
) -> None:
    assert feedback_falling(answers(*overall)) is falling


def test_a_divergence_is_open_until_its_latest_change_is_a_resolution_whatever_the_arrival_order() -> None:
    goal, other = uuid4(), uuid4()
    raised = DivergenceChange(goal, EPISODE, 1, True, NOW)
    resolved = DivergenceChange(goal, EPISODE, 2, False, NOW + timedelta(days=3))
    again = DivergenceChange(goal, EPISODE, 3, True, NOW + timedelta(days=9))
    assert open_divergences([raised]) == {goal}
    assert open_divergences([resolved, raised]) == set()
    assert open_divergences([again, resolved, raised, DivergenceChange(other, EPISODE, 1, True, NOW)]) == {goal, other}


def feedback_envelope(client: UUID, episode: UUID, tenant: str, overall: int, at: datetime, **extra: Any) -> Envelope:
    """`SessionFeedbackGiven` as the progress service publishes it (its contract is progress's own)."""
    scores = {"heard": 8, "what_i_wanted": 7, "way_we_worked": 8, "overall": overall}
    payload = {
        "client_id": str(client),
        "episode_id": str(episode),
        "session_id": str(uuid4()),
        "scores": scores,
        "occurred_at": at.isoformat(),
        **extra,
    }
    return Envelope(
        event_id=uuid4(),
        event_type="SessionFeedbackGiven",
        schema_version=1,
        occurred_at=at,
        producer="progress",
        tenant_id=tenant,
        correlation_id=uuid4(),
        partition_key=str(client),
        payload=payload,
    )


def divergence(s: Script, client: UUID, goal: str, episode: str, raised: bool, at: float) -> None:
    ids = {"client_id": client, "goal_id": s.cast[goal], "episode_id": s.cast[episode], "version": 1}
    event = (
        g.AlignmentDivergenceRaised(**ids, spread=6, threshold=4) if raised else g.AlignmentDivergenceResolved(**ids)
    )
    s.emit(event, s.d(at))


def test_a_divergence_and_low_falling_feedback_show_on_the_caseload_and_a_resolution_clears_its_flag() -> None:
    cast = Cast()
    s, client, lead = Script(cast, NOW), cast.clients[0], cast.therapist
    s.episode(client, "E", cast.team, lead, 30)
    s.agree(client, "G", "E", lead, 20, 19, baseline=2, target=8, interval=60)
    divergence(s, client, "G", "E", True, 18)
    projections = InMemoryProjections().apply(s.envelopes)
    for overall, days in ((9, 14), (8, 7), (5, 1)):
        projections.add(session_feedback_rows(feedback_envelope(client, cast["E"], cast.tenant, overall, s.d(days))))

    row = caseload_row(projections.history(cast.tenant, client), lead, NOW, set(), low_below=6)
    assert row is not None
    assert [(w.kind, w.goal_id, w.episode_id, w.suggested_step) for w in row.warnings] == [
        (WarningKind.GOAL_DIVERGENCE, cast["G"], None, SuggestedStep.REVISIT_GOAL_TOGETHER),
        (WarningKind.FEEDBACK_LOW, None, cast["E"], SuggestedStep.TALK_AT_NEXT_SESSION),
        (WarningKind.FEEDBACK_FALLING, None, cast["E"], SuggestedStep.TALK_AT_NEXT_SESSION),
    ]
    assert row.goals_due_for_review == (cast["G"],)  # nothing else due: the divergence is the review
    assert CaseloadFilter(due_for_review=True).accepts(row, NOW)
    team_row = team_caseload_row(projections.history(cast.tenant, client), cast.team, NOW, set(), low_below=5)
    assert team_row is not None and [w.kind for w in team_row.warnings] == [
        WarningKind.GOAL_DIVERGENCE,
        WarningKind.FEEDBACK_FALLING,
    ]

    later = Script(cast, NOW)
    divergence(later, client, "G", "E", False, 0.5)
    projections.apply(later.envelopes)
    cleared = caseload_row(projections.history(cast.tenant, client), lead, NOW, set(), low_below=6)
    assert cleared is not None and WarningKind.GOAL_DIVERGENCE not in {w.kind for w in cleared.warnings}
    assert cleared.goals_due_for_review == ()
    [goal] = goal_states(projections.history(cast.tenant, client))
    assert "goal_divergence" not in goal.review_reasons(NOW)


def test_a_divergence_on_a_closed_goal_shows_no_flag() -> None:
    cast = Cast()
    s, client, lead = Script(cast, NOW), cast.clients[0], cast.therapist
    s.episode(client, "E", cast.team, lead, 30)
    s.agree(client, "G", "E", lead, 20, 19, baseline=2, target=8)
    divergence(s, client, "G", "E", True, 18)
    s.emit(
        g.GoalClosed(client_id=client, goal_id=cast["G"], outcome=g.GoalOutcome.NO_LONGER_RELEVANT, closed_at=s.d(2)),
        s.d(2),
    )
    row = caseload_row(InMemoryProjections().apply(s.envelopes).history(cast.tenant, client), lead, NOW, set())
    assert row is not None and row.warnings == ()


def test_only_the_four_scores_of_a_session_feedback_are_kept_never_a_comment() -> None:
    client = uuid4()
    envelope = feedback_envelope(client, EPISODE, "tenant-a", 7, NOW, comment="I felt rushed today")
    [row] = session_feedback_rows(envelope)
    assert row.table == "session_feedback" and len(row.values) == len(TABLES["session_feedback"])
    assert "I felt rushed today" not in repr(row.values)
    assert dict(zip(TABLES["session_feedback"], row.values, strict=True))["overall"] == 7


async def test_the_event_handler_keeps_a_divergence_once_whatever_the_copies_and_its_resolution_in_any_order() -> None:
    from reporting_fakes import InMemoryRepository

    from accord.reporting.handlers import on_event

    cast = Cast()
    s, client, lead = Script(cast, NOW), cast.clients[0], cast.therapist
    s.episode(client, "E", cast.team, lead, 30)
    s.agree(client, "G", "E", lead, 20, 19, baseline=2, target=8)
    divergence(s, client, "G", "E", True, 18)
    raised = s.envelopes[-1]
    divergence(s, client, "G", "E", False, 10)
    resolved = s.envelopes[-1]
    repo = InMemoryRepository()
    for envelope in [*s.envelopes[:-2], resolved, raised, raised]:
        await on_event(repo, envelope, envelope.open())
    history = await repo.history(cast.tenant, client)
    assert [c.raised for c in sorted(history.divergences, key=lambda c: c.at)] == [True, False]
    row = caseload_row(history, lead, NOW, set())
    assert row is not None and row.warnings == ()


def test_the_clients_report_shows_their_clinician_the_caseloads_warnings_and_shows_the_client_none() -> None:
    cast = Cast()
    s, client, lead = Script(cast, NOW), cast.clients[0], cast.therapist
    s.episode(client, "E", cast.team, lead, 30)
    s.agree(client, "G", "E", lead, 20, 19, baseline=2, target=8, interval=60)
    divergence(s, client, "G", "E", True, 18)
    projections = InMemoryProjections().apply(s.envelopes)
    projections.add(session_feedback_rows(feedback_envelope(client, cast["E"], cast.tenant, 3, s.d(1))))

    as_lead = report_json(projections, cast.tenant, client, lead, {Role.THERAPIST}, NOW)
    assert as_lead is not None and as_lead["warnings"] == [
        {
            "kind": "goal_divergence",
            "goal_id": str(cast["G"]),
            "episode_id": None,
            "suggested_step": "revisit_goal_together",
        },
        {
            "kind": "feedback_low",
            "goal_id": None,
            "episode_id": str(cast["E"]),
            "suggested_step": "talk_at_next_session",
        },
    ]
    as_client = report_json(projections, cast.tenant, client, client, {Role.CLIENT}, NOW)
    assert as_client is not None and as_client["warnings"] is None
