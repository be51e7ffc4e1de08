"""The therapist is told of low or falling session feedback by the progress service (which holds the answers and
raises `SessionFeedbackConcernRaised`), and the caseload shows the same warning from the reporting service's
projection. Two services, one rule: this holds them to the same answers and the same default line, so that what
the therapist is told and what their caseload shows never drift apart."""

import itertools
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from accord.progress.domain.feedback import concerns
from accord.progress.settings import Settings as ProgressSettings
from accord.reporting.domain.alliance import feedback_falling, feedback_low
from accord.reporting.domain.history import SessionFeedback
from accord.reporting.settings import Settings as ReportingSettings

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _answers(overall: tuple[int, ...]) -> list[SessionFeedback]:
    episode = uuid4()
    return [SessionFeedback(uuid4(), episode, o, o, o, o, START + timedelta(days=7 * i)) for i, o in enumerate(overall)]


@pytest.mark.parametrize("low_below", [1, 4, 6, 10])
def test_progress_raises_exactly_the_concerns_the_caseload_shows_for_every_run_of_up_to_four_answers(
    low_below: int,
) -> None:
    values = (0, 3, 4, 5, 6, 7, 8, 10)
    for n in range(1, 5):
        for overall in itertools.product(values, repeat=n):
            answers = _answers(overall)
            shown = {"low"} if feedback_low(answers, low_below) else set()
            shown |= {"falling"} if feedback_falling(answers) else set()
            assert {c.value for c in concerns(list(overall), low_below)} == shown, overall


def test_both_services_draw_the_low_line_at_the_same_default() -> None:
    progress = ProgressSettings.model_construct()
    reporting = ReportingSettings.model_construct()
    assert progress.feedback_low_below == reporting.feedback_low_below
