"""The session feedback instrument (Accord's four questions, or a tenant's own from a settings file), the rules an
answer follows, and the trend of answers at its edges."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from accord.progress.domain.feedback import (
    ACCORD_FOUR,
    check_due,
    checked_scores,
    concerns,
    load_instruments,
    scheduled_check_id,
    session_total,
    trend,
)
from accord.progress.entrypoints.sessions_api import tenant_instrument
from accord.progress.settings import Settings
from accord.shared.errors import Invalid


def _item(key: str, question: str) -> dict[str, object]:
    words = {"en": question, "cy": f"{question} (cy)"}
    return {"key": key, "question": words, "low": words, "high": words}


# A licensed measure's own words, its items mapped onto the four keys the events and reporting read.
LICENSED = {
    "code": "licensed-session-measure",
    "name": {"en": "Session rating", "cy": "Sgôr y sesiwn"},
    "validated": True,
    "licence": "Used under the service's licence",
    "items": [
        _item("overall", "Overall"),
        _item("heard", "Relationship"),
        _item("what_i_wanted", "Goals and topics"),
        _item("way_we_worked", "Approach or method"),
    ],
}


def test_accords_own_check_asks_the_four_questions_and_says_it_is_not_validated() -> None:
    assert ACCORD_FOUR.item_keys() == ["heard", "what_i_wanted", "way_we_worked", "overall"]
    assert ACCORD_FOUR.validated is False


def test_a_tenant_named_in_the_settings_file_gets_its_licensed_instrument_and_every_other_tenant_accords(
    tmp_path: Path,
) -> None:
    path = tmp_path / "instruments.json"
    path.write_text(json.dumps({"tenant-licensed": LICENSED}), encoding="utf-8")
    settings = Settings.model_construct(feedback_instruments_file=path)  # only the setting this reads

    assert [i.question.en for i in tenant_instrument(settings, "tenant-licensed").items][:2] == [
        "Overall",
        "Relationship",
    ]
    assert tenant_instrument(settings, "tenant-licensed").validated is True
    assert tenant_instrument(settings, "tenant-other") == ACCORD_FOUR
    answer = {"heard": 4, "what_i_wanted": 5, "way_we_worked": 6, "overall": 7}
    assert list(checked_scores(tenant_instrument(settings, "tenant-licensed"), answer)) == [
        "overall",
        "heard",
        "what_i_wanted",
        "way_we_worked",
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {**LICENSED, "name": {"en": "Session rating"}},  # no Welsh
        {**LICENSED, "items": [_item("relationship", "Relationship")]},  # not mapped onto the four
        {
            **LICENSED,
            "items": [_item("heard", "A"), _item("heard", "B"), _item("overall", "C"), _item("way_we_worked", "D")],
        },
    ],
)
def test_a_settings_file_with_an_instrument_the_events_could_not_carry_is_refused_rather_than_half_loaded(
    tmp_path: Path, broken: dict[str, object]
) -> None:
    path = tmp_path / "instruments.json"
    path.write_text(json.dumps({"tenant-licensed": broken}), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_instruments(path)


@pytest.mark.parametrize(
    "scores",
    [
        {"heard": 8, "what_i_wanted": 8, "way_we_worked": 8},
        {"heard": 8, "what_i_wanted": 8, "way_we_worked": 8, "overall": 11},
        {"heard": 8, "what_i_wanted": 8, "way_we_worked": 8, "overall": -1},
        {"heard": 8, "what_i_wanted": 8, "way_we_worked": 8, "overall": True},
        {"heard": 8, "what_i_wanted": 8, "way_we_worked": 8, "overall": 8, "mood": 2},
    ],
)
def test_an_answer_must_give_every_question_a_whole_number_from_0_to_10_and_nothing_else(
    scores: dict[str, int],
) -> None:
    with pytest.raises(Invalid) as refused:
        checked_scores(ACCORD_FOUR, scores)
    assert refused.value.field == "scores"


def test_the_edges_0_and_10_are_answers_and_are_kept_in_the_instruments_order() -> None:
    answer = {"overall": 10, "heard": 0, "what_i_wanted": 10, "way_we_worked": 0}
    assert list(checked_scores(ACCORD_FOUR, answer)) == ACCORD_FOUR.item_keys()
    assert session_total(answer) == 5


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ([], None),
        ([7], None),
        ([7, 6.01], "steady"),
        ([7, 6], "falling"),
        ([6, 7], "rising"),
        ([9, 9, 9, 3, 8.5], "rising"),  # against the three before it (7), not the first
        ([2, 9, 9, 9, 8], "falling"),
    ],
)
def test_the_trend_compares_the_latest_session_with_up_to_three_before_and_moves_at_one_point(
    totals: list[float], expected: str | None
) -> None:
    assert trend(totals) == expected


@pytest.mark.parametrize(
    ("answers", "low_below", "expected"),
    [
        ([], 6, []),
        ([6], 6, []),  # on the line is not below it
        ([5], 6, ["low"]),
        ([5], 5, []),  # a tenant's own, lower line
        ([9, 7], 6, ["falling"]),  # two below the one before
        ([9, 8], 6, []),  # one point is not a fall
        ([9, 8, 7], 6, ["falling"]),  # two below the highest of the two before
        ([9, 7, 7, 7], 6, []),  # the 9 is out of the window of three
        ([8, 8, 3], 6, ["low", "falling"]),
        ([3, 3, 3], 6, ["low"]),  # low but steady
    ],
)
def test_a_concern_is_raised_when_the_latest_overall_answer_is_below_the_line_or_two_below_the_highest_before(
    answers: list[int], low_below: int, expected: list[str]
) -> None:
    assert [c.value for c in concerns(answers, low_below)] == expected


def test_the_low_line_is_the_tenants_own_where_the_settings_name_one_and_six_elsewhere() -> None:
    settings = Settings.model_construct(feedback_low_below_by_tenant={"north": 4})  # only the settings this reads
    assert (settings.low_below("north"), settings.low_below("south")) == (4, 6)


def test_a_scheduled_check_falls_due_on_the_intervals_last_day_and_never_when_the_tenant_asks_only_after_sessions() -> (
    None
):
    last = datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert check_due(last, 14, last + timedelta(days=14)) == last + timedelta(days=14)
    assert check_due(last, 14, last + timedelta(days=14) - timedelta(seconds=1)) is None
    assert check_due(last, 0, last + timedelta(days=400)) is None


def test_two_workers_finding_the_same_check_due_name_it_alike_and_another_episode_or_day_differently() -> None:
    episode, other, due = uuid4(), uuid4(), datetime(2026, 11, 15, 10, tzinfo=UTC)
    assert scheduled_check_id(episode, due) == scheduled_check_id(episode, due)
    assert (
        len(
            {
                scheduled_check_id(episode, due),
                scheduled_check_id(other, due),
                scheduled_check_id(episode, due + timedelta(days=14)),
            }
        )
        == 3
    )
