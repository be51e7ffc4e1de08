"""Opaque cursors for keyset pagination: stable under inserts, no OFFSET scans."""

import base64
import json
from typing import Any, Generic, TypeVar

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
