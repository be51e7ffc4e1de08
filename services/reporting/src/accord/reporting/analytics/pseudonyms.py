"""Keyed pseudonyms: HMAC-SHA256 under the key in force, cut to 128 bits.

Without the key a pseudonym cannot be computed from an id, so it cannot be joined back to the operational data or
to the domain topics; with another tenant's key, or in another period, the same id gives an unrelated pseudonym.
Each kind of id has its own prefix (domain separation), so a person's pseudonym never equals a record's.

Crypto-shredding: every person also has key material of their own (a random secret kept in reporting's
`analytics_person_keys`, `adapters/person_keys.py`), mixed into their pseudonym and into the pseudonyms of the
records of their care (episodes, goals, entries, ...). When an erasure is decided the secret is destroyed; the next
event about them gets a fresh one, so nothing after can be joined to anything before, even by someone holding the
tenant's key. Teams are not a person's: their pseudonym has no person material.
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


class PersonsNamed(dict[UUID, bytes]):
    """Person material that is not there yet: records whom a mapper names (so that their material can be fetched
    first), answering an empty secret for each."""

    def __missing__(self, person_id: UUID) -> bytes:
        self[person_id] = b""
        return b""


@dataclass(frozen=True)
class Pseudonyms:
    key: PeriodKey
    client_id: UUID
    """Whose event this is: the records named are the records of their care."""
    person_keys: Mapping[UUID, bytes] = field(repr=False)
    """Each named person's own material (a missing one is a bug: KeyError, never an unsalted pseudonym)."""

    def person(self, person_id: UUID) -> str:
        """A client, family member or clinician."""
        return self._mac("person", person_id, self.person_keys[person_id])

    def persons(self, person_ids: Iterable[UUID]) -> tuple[str, ...]:
        return tuple(self.person(p) for p in person_ids)

    def record(self, record_id: UUID) -> str:
        """An episode, goal, entry, milestone, response, signal or notification of the client's care."""
        return self._mac("record", record_id, self.person_keys[self.client_id])

    def team(self, team_id: UUID) -> str:
        """A team: many clients', no one person's."""
        return self._mac("record", team_id, b"")

    def event_id(self, event_id: UUID) -> UUID:
        """The analytics event id standing for a domain event id: the same on every redelivery."""
        return uuid5(EVENT_ID_NAMESPACE, self._mac("event", event_id, self.person_keys[self.client_id]))

    def about(self, client_id: UUID) -> About:
        return About(client_pseudonym=self.person(client_id), key_period=self.key.starts_on)

    def _mac(self, kind: str, value: UUID, material: bytes) -> str:
        message = f"{kind}:{value}".encode() + (b":" + material if material else b"")
        return hmac.new(self.key.secret, message, hashlib.sha256).hexdigest()[:32]


NOT_A_PSEUDONYM = "0" * 32
"""What `Naming` answers for every pseudonym: of the right form, standing for nothing."""


@dataclass(frozen=True)
class Naming(Pseudonyms):
    """Pseudonyms for a mapper run only to learn whom it names (`person_keys` a `PersonsNamed`): none is computed,
    since the persons' material is not there yet and the event made is thrown away."""

    def _mac(self, kind: str, value: UUID, material: bytes) -> str:
        return NOT_A_PSEUDONYM
