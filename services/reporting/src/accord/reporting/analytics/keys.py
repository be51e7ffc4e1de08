"""The analytics keys: a secret per tenant and key period, chosen by the date of the event.

A tenant's periods start on given dates; the key in force on a day is the one of the latest period that started on
or before it, and the first period also covers the days before it, so that older history can be replayed. Rotating
means adding a period: pseudonyms stay stable within a period and change from its first day. A period's secret must
be kept for as long as its events may be replayed, or they come out under another key with other pseudonyms.
"""

import hashlib
import hmac
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from accord.shared.settings import is_placeholder

MIN_SECRET_LENGTH = 32

# Development and tests only (refused in production): a tenant without configured keys gets one derived from this
# published constant, so a local stack and the test suites need no key set-up. Such pseudonyms protect nothing.
DEV_MASTER_SECRET = b"accord-development-analytics-master-secret-not-for-production"
DEV_PERIOD_START = date(1970, 1, 1)


class KeyPeriod(BaseModel):
    """One key period of a tenant, as configured: `{"starts_on": "2025-01-01", "secret": "..."}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    starts_on: date
    secret: SecretStr

    @field_validator("secret")
    @classmethod
    def _real_and_long(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if is_placeholder(secret) or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be a real secret of at least {MIN_SECRET_LENGTH} characters")
        return value


@dataclass(frozen=True)
class PeriodKey:
    """The key in force for an event: its period's first day (published with the event) and secret (never)."""

    starts_on: date
    secret: bytes = field(repr=False)


class UnknownTenantError(LookupError):
    """No analytics key is configured for the tenant (production has no fallback)."""


class Keyring:
    def __init__(self, periods: Mapping[str, Sequence[KeyPeriod]], *, dev_fallback: bool) -> None:
        self._periods = {
            tenant: sorted((PeriodKey(p.starts_on, p.secret.get_secret_value().encode()) for p in ps), key=_start)
            for tenant, ps in periods.items()
            if ps
        }
        self._starts = {tenant: [p.starts_on for p in ps] for tenant, ps in self._periods.items()}
        self._dev_fallback = dev_fallback

    def key_for(self, tenant: str, day: date) -> PeriodKey:
        periods = self._periods.get(tenant)
        if periods is None:
            if not self._dev_fallback:
                raise UnknownTenantError(f"no analytics key for tenant {tenant}")
            return _dev_key(tenant)
        started = bisect_right(self._starts[tenant], day)
        return periods[max(started - 1, 0)]


def _start(key: PeriodKey) -> date:
    return key.starts_on


@cache
def _dev_key(tenant: str) -> PeriodKey:
    """Made once per tenant (twice an analytics event asks for it)."""
    secret = hmac.new(DEV_MASTER_SECRET, f"tenant:{tenant}".encode(), hashlib.sha256).digest()
    return PeriodKey(DEV_PERIOD_START, secret)
