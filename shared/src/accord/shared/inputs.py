"""The input policy every request body of every service follows: one place that says what a number, a piece of text,
an instant and a date may be, so that nothing a database or a JSON encoder cannot hold gets past the edge.

- Numbers are finite (JSON has no NaN or Infinity; Python's json module reads them anyway) and strict: "3" is not a
  number and `true` is not 1. JSON-natural conversions stay: a UUID, a date or an instant are strings in JSON.
- Text has no control characters (NUL cannot be stored in PostgreSQL text at all) and no lone surrogates (which are
  not UTF-8); multi-line free text may hold tab, line feed and carriage return.
- An instant carries its offset and lies between 1900 and 2200 once converted to UTC (so the conversion cannot
  overflow, and a stored instant always comes back with its offset).
- A date lies in a stated range.

Request models derive from `RequestModel`, whose config refuses NaN and Infinity in any float field the model has.
"""

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AllowInfNan, AwareDatetime, BaseModel, ConfigDict, Field, Strict, WithJsonSchema

EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

# Control characters (Unicode category Cc: C0, DEL, C1) are refused; multi-line text lets tab, line feed and carriage
# return through. Enforced as the field's pattern, so the OpenAPI document says what is refused. (A lone surrogate
# never gets this far: pydantic refuses a string that is not valid Unicode.)
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


class RequestModel(BaseModel):
    """The base of every request body: no NaN or Infinity in any float field, even one typed without this module."""

    model_config = ConfigDict(allow_inf_nan=False)


def Text(max_length: int, *, min_length: int = 0, multiline: bool = False, **field: Any) -> Any:  # noqa: N802
    """A string of `min_length` to `max_length` characters without control characters (`multiline`: tab and line
    breaks allowed). Use as `Annotated[str, Text(500)]` or as a field's default: `note: str = Text(500)`."""
    pattern = MULTI_LINE_PATTERN if multiline else SINGLE_LINE_PATTERN
    return Field(min_length=min_length, max_length=max_length, pattern=pattern, **field)


def Number(*, ge: float, le: float, **field: Any) -> Any:  # noqa: N802
    """A finite number within [ge, le]: an integer or a decimal in JSON, never a string or a boolean."""
    return Field(ge=ge, le=le, strict=True, allow_inf_nan=False, **field)


def Integer(*, ge: int, le: int, **field: Any) -> Any:  # noqa: N802
    """A whole number within [ge, le]: never a string, a decimal or a boolean."""
    return Field(ge=ge, le=le, strict=True, **field)


FiniteFloat = Annotated[float, Strict(), AllowInfNan(False)]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]


def _instant_in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:  # e.g. year 1 at +14:00 is before datetime.min in UTC
        raise ValueError("must lie between 1900-01-01 and 2200-12-31 (UTC)") from exc
    if not EARLIEST_INSTANT <= utc <= LATEST_INSTANT:
        raise ValueError("must lie between 1900-01-01 and 2200-12-31 (UTC)")
    return value


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_instant_in_range),
    Field(description="RFC 3339 date-time with an offset, between 1900-01-01 and 2200-12-31 UTC"),
]
"""A moment in time, with the offset it was given in, within the range every store and encoder can hold."""


def date_between(earliest: date, latest: date) -> AfterValidator:
    def check(value: date) -> date:
        if not earliest <= value <= latest:
            raise ValueError(f"must lie between {earliest.isoformat()} and {latest.isoformat()}")
        return value

    return AfterValidator(check)


Day = Annotated[date, date_between(EARLIEST_INSTANT.date(), LATEST_INSTANT.date())]
"""A calendar day in the same range as an instant, so that a day's bounds (and the day after) are instants too."""


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("must be a wall-clock time without an offset (the time zone is given separately)")
    return value


LocalTime = Annotated[
    time,
    AfterValidator(_naive_time),
    # JSON Schema's `time` format demands an offset (RFC 3339 full-time); a wall-clock time in a named time zone has
    # none, so the document says what the answer really holds.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "a wall-clock time, HH:MM[:SS], in the person's own time zone",
            "examples": ["22:00:00"],
        }
    ),
]
