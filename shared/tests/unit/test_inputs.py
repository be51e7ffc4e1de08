"""Properties of the shared input policy (accord.shared.inputs) that every request body relies on."""

import json
import math
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Annotated, Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from accord.shared.inputs import (
    EARLIEST_INSTANT,
    LATEST_INSTANT,
    Instant,
    Integer,
    LocalTime,
    Number,
    RequestModel,
    StrictBool,
    Text,
    date_between,
)

SingleLine = TypeAdapter(Annotated[str, Text(200)])
MultiLine = TypeAdapter(Annotated[str, Text(200, multiline=True)])
Bounded = TypeAdapter(Annotated[float, Number(ge=-1000, le=1000)])
Whole = TypeAdapter(Annotated[int, Integer(ge=0, le=10)])
Flag = TypeAdapter(StrictBool)
Moment = TypeAdapter(Instant)
Wall = TypeAdapter(LocalTime)
Due = TypeAdapter(Annotated[date, date_between(date(2000, 1, 1), date(2100, 12, 31))])
LINE_BREAKS = "\t\n\r"
CONTROL = st.characters(categories=["Cc"])
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def refused(adapter: TypeAdapter[Any], value: object, *, json_text: str | None = None) -> bool:
    try:
        adapter.validate_json(json_text) if json_text is not None else adapter.validate_python(value)
    except ValidationError:
        return True
    return False


@given(st.text(max_size=50), CONTROL, st.text(max_size=50))
def test_any_string_with_a_control_character_is_refused_as_single_line_text(
    before: str, control: str, after: str
) -> None:
    assume(len(before + control + after) <= 200)
    assert refused(SingleLine, before + control + after)


@given(st.text(max_size=50), CONTROL.filter(lambda c: c not in LINE_BREAKS), st.text(max_size=50))
def test_multi_line_text_refuses_every_control_character_but_tab_and_line_breaks(
    before: str, control: str, after: str
) -> None:
    assume(len(before + control + after) <= 200)
    assert refused(MultiLine, before + control + after)


@given(st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from(LINE_BREAKS), max_size=200))
def test_multi_line_text_without_control_characters_is_kept_exactly(text: str) -> None:
    assert MultiLine.validate_python(text) == text
    assert MultiLine.validate_json(json.dumps(text)) == text


@given(st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=200))
def test_single_line_text_without_control_characters_is_kept_exactly(text: str) -> None:
    assert all(unicodedata.category(c) != "Cc" for c in text)
    assert SingleLine.validate_python(text) == text


def test_a_lone_surrogate_from_json_is_refused() -> None:
    assert refused(MultiLine, None, json_text='"a\\ud800b"')


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False))
def test_any_finite_number_within_bounds_is_accepted(value: float) -> None:
    assert Bounded.validate_python(value) == value
    assert Bounded.validate_json(json.dumps(value)) == value


@given(st.sampled_from([math.nan, -math.nan, math.inf, -math.inf]))
def test_nan_and_infinity_are_refused(value: float) -> None:
    assert refused(Bounded, value)
    assert refused(Bounded, None, json_text=json.dumps(value))  # the bare tokens NaN / Infinity / -Infinity


@given(st.floats(allow_nan=False).filter(lambda v: not -1000 <= v <= 1000))
def test_numbers_out_of_bounds_are_refused(value: float) -> None:
    assert refused(Bounded, value)


@pytest.mark.parametrize("value", ["5", True, False, "true", None, [5]])
def test_strings_and_booleans_are_not_numbers(value: object) -> None:
    assert refused(Bounded, value) and refused(Whole, value)


@pytest.mark.parametrize("value", ["true", 1, 0, "yes", None])
def test_only_true_and_false_are_booleans(value: object) -> None:
    assert refused(Flag, value)


def test_a_whole_number_is_a_number_and_a_decimal_is_not_a_whole_number() -> None:
    assert Bounded.validate_json("7") == 7.0
    assert refused(Whole, 7.0)


def test_a_request_model_refuses_nan_in_a_float_field_typed_without_the_policy() -> None:
    class Loose(RequestModel):
        score: float

    with pytest.raises(ValidationError) as refusal:
        Loose.model_validate_json('{"score": NaN}')
    assert refusal.value.errors()[0]["loc"] == ("score",)


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=st.just(UTC)), OFFSETS)
def test_an_instant_in_range_round_trips_with_its_offset(moment: datetime, offset: timezone) -> None:
    local = moment.astimezone(offset)
    parsed = Moment.validate_json(json.dumps(local.isoformat()))
    assert parsed == local and parsed.utcoffset() == offset.utcoffset(None)
    assert Moment.dump_json(parsed).decode().strip('"') == local.isoformat().replace("+00:00", "Z")


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)))
def test_an_instant_without_an_offset_is_refused(moment: datetime) -> None:
    assert refused(Moment, None, json_text=json.dumps(moment.isoformat()))


@given(
    st.datetimes(max_value=datetime(1899, 12, 30)) | st.datetimes(min_value=datetime(2201, 1, 2)),
    OFFSETS,
)
def test_an_instant_out_of_range_is_refused_whatever_its_offset(moment: datetime, offset: timezone) -> None:
    text = moment.replace(tzinfo=offset).isoformat()
    assert refused(Moment, None, json_text=json.dumps(text))


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"])
def test_instants_at_the_edges_of_the_calendar_are_refused_not_overflowed(text: str) -> None:
    assert refused(Moment, None, json_text=json.dumps(text))


def test_the_range_is_inclusive() -> None:
    assert Moment.validate_python(EARLIEST_INSTANT) == EARLIEST_INSTANT
    assert Moment.validate_python(LATEST_INSTANT) == LATEST_INSTANT


@given(st.dates())
def test_a_date_is_accepted_exactly_within_its_range(day: date) -> None:
    assert refused(Due, day) != (date(2000, 1, 1) <= day <= date(2100, 12, 31))


@given(st.times())
def test_a_wall_clock_time_round_trips_without_an_offset(moment: time) -> None:
    parsed = Wall.validate_json(json.dumps(moment.isoformat()))
    assert parsed == moment and parsed.tzinfo is None


def test_a_wall_clock_time_with_an_offset_is_refused() -> None:
    assert refused(Wall, None, json_text='"22:00:00+01:00"')
