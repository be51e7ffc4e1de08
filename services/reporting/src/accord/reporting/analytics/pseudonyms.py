"""Keyed pseudonyms: HMAC-SHA256 under the key in force, cut to 128 bits.

Without the key a pseudonym cannot be computed from an id, so it cannot be joined back to the operational data or
to the domain topics; with another tenant's key, or in another period, the same id gives an unrelated pseudonym.
Each kind of id has its own prefix (domain separation), so a person's pseudonym never equals a record's.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypedDict
from uuid import UUID, uuid5

from accord.reporting.analytics.keys import PeriodKey

# Fixed forever: analytics event ids must come out the same on every replay.
EVENT_ID_NAMESPACE = UUID("6f1d8a52-3c1e-4a8e-9d0b-6a1f5c2e7b94")


class About(TypedDict):
    """The fields every analytics event has: whose events they are, and under which key period."""

    client_pseudonym: str
    key_period: date


@dataclass(frozen=True)
class Pseudonyms:
    key: PeriodKey

    def person(self, person_id: UUID) -> str:
        """A client, family member or clinician."""
        return self._mac("person", person_id)

    def persons(self, person_ids: Iterable[UUID]) -> tuple[str, ...]:
        return tuple(self.person(p) for p in person_ids)

    def record(self, record_id: UUID) -> str:
        """An episode, goal, entry, milestone, response, signal, notification or team."""
        return self._mac("record", record_id)

    def event_id(self, event_id: UUID) -> UUID:
        """The analytics event id standing for a domain event id: the same on every redelivery."""
        return uuid5(EVENT_ID_NAMESPACE, self._mac("event", event_id))

    def about(self, client_id: UUID) -> About:
        return About(client_pseudonym=self.person(client_id), key_period=self.key.starts_on)

    def _mac(self, kind: str, value: UUID) -> str:
        return hmac.new(self.key.secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
