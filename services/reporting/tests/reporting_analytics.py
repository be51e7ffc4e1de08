"""Helpers for the analytics stream's tests: a sample of every domain event with ids of its own, and key periods."""

import json
import re
from datetime import date
from uuid import UUID, uuid4

from pydantic import SecretStr

from accord.devtools.published.examples import example
from accord.reporting.analytics.derive import NOT_FOR_ANALYTICS
from accord.reporting.analytics.keys import KeyPeriod
from accord.shared.events.base import ClientEvent
from accord.shared.events.compat import schema_of
from accord.shared.events.registry import EVENTS

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

DOMAIN_EVENTS = {
    name: cls for name, cls in EVENTS.items() if issubclass(cls, ClientEvent) and name not in NOT_FOR_ANALYTICS
}


def sample(event_type: str, client_id: UUID | None = None) -> ClientEvent:
    """The catalogue's example of the event, every id in it replaced by a fresh one (the client's by `client_id`)."""
    cls = DOMAIN_EVENTS[event_type]
    payload = example(schema_of(cls))
    payload["client_id"] = str(client_id or uuid4())
    fresh: dict[str, str] = {payload["client_id"]: payload["client_id"]}
    text = UUIDS.sub(lambda m: fresh.setdefault(m[0], str(uuid4())), json.dumps(payload))
    return cls.model_validate_json(text)


def period(starts_on: date, secret: str) -> KeyPeriod:
    return KeyPeriod(starts_on=starts_on, secret=SecretStr(secret))


def secret(name: str) -> str:
    """A test secret long enough to be accepted."""
    return f"{name}-analytics-test-secret-0123456789abcdef"
