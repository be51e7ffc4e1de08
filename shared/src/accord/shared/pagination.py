"""Opaque cursors for keyset pagination: stable under inserts, no OFFSET scans."""

import base64
import json
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from accord.shared.problems import Problem

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, "Invalid cursor", "The cursor is not one this API gave out", field="cursor") from exc
    if not isinstance(value, list):
        raise Problem(400, "Invalid cursor", "The cursor is not one this API gave out", field="cursor")
    return value


def time_and_id_cursor(at: datetime, id_: UUID) -> str:
    """The cursor of a keyset position in a list ordered by a time, then an id (the last item of a page)."""
    return encode_cursor(at.isoformat(), str(id_))


def time_and_id(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The keyset position a `time_and_id_cursor` gave (None: from the start); 400 for one this API did not give."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        # In UTC here: a time the database could not take (out of range once in UTC) is the caller's error, not ours.
        return datetime.fromisoformat(position[0]).astimezone(UTC), UUID(position[1])
    except (IndexError, TypeError, ValueError, OverflowError):
        raise Problem(400, "Invalid cursor", "The cursor is not one this API gave out", field="cursor") from None
