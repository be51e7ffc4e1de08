"""A (time, id) keyset cursor comes back as the position it was made from, and any cursor this API did not give
(garbled, the wrong shape, or a time out of range once in UTC) is a 400 naming the field, never a server error."""

import base64
import json
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from accord.shared.pagination import time_and_id, time_and_id_cursor
from accord.shared.problems import Problem


def test_a_cursor_comes_back_as_the_position_it_was_made_from_in_utc() -> None:
    at, id_ = datetime(2026, 11, 29, 12, 30, tzinfo=timezone(timedelta(hours=1))), uuid4()
    assert time_and_id(time_and_id_cursor(at, id_)) == (at, id_)
    assert time_and_id(None) is None and time_and_id("") is None


def cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "given",
    [
        "not base64 at all!",
        cursor({"at": "2026-01-01"}),
        cursor(["2026-01-01T00:00:00Z"]),
        cursor([1, 2]),
        cursor(["yesterday", str(uuid4())]),
        cursor(["2026-01-01T00:00:00Z", "not-a-uuid"]),
        cursor(["0001-01-01T00:00:00+05:00", str(uuid4())]),
        cursor(["9999-12-31T23:59:59-05:00", str(uuid4())]),
    ],
)
def test_a_cursor_this_api_did_not_give_is_refused_with_400(given: str) -> None:
    with pytest.raises(Problem) as refused:
        time_and_id(given)
    assert (refused.value.status, refused.value.extra) == (400, {"field": "cursor"})
