"""Retention schedules: how long each kind of record this service keeps is kept, per tenant.

Nothing the notifications service keeps is part of the clinical record (messages carry a template code and a link,
never clinical words), so every kind here may be removed once its time is up. The audit log is not one of these
kinds: a client's audit rows older than the clinical retention period go when an episode of theirs reaches the end of
that period (`EpisodeRecordsExpired`, `accord.shared.clinical_retention`), not by this sweep.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class RecordKind(StrEnum):
    DELIVERIES = "deliveries"
    """Delivery records (with their attempt log) that are no longer pending and have no in-app message left."""
    IN_APP_MESSAGES = "in_app_messages"
    """Inbox items, read or not."""
    HELD_TRIGGERS = "held_triggers"
    """Events held until their goal arrived, which never matched a goal."""
    IDEMPOTENCY_KEYS = "idempotency_keys"
    """Remembered answers to POSTs with an Idempotency-Key."""
    EXPORT_PARTS = "export_parts"
    """This service's parts of subject access exports, once the requester has had their time to download them."""


@dataclass(frozen=True)
class Cutoffs:
    """Records created before `default` are due, except in a tenant of `tenants`, where its own instant applies."""

    default: datetime
    tenants: Mapping[str, datetime] = field(default_factory=dict)

    def for_tenant(self, tenant_id: str) -> datetime:
        return self.tenants.get(tenant_id, self.default)


@dataclass(frozen=True)
class Schedule:
    """Days kept per kind, and per-tenant overrides of some of them."""

    days: Mapping[RecordKind, int]
    tenant_days: Mapping[str, Mapping[RecordKind, int]] = field(default_factory=dict)

    def days_for(self, kind: RecordKind, tenant_id: str) -> int:
        return self.tenant_days.get(tenant_id, {}).get(kind, self.days[kind])

    def cutoffs(self, kind: RecordKind, now: datetime) -> Cutoffs:
        return Cutoffs(
            default=now - timedelta(days=self.days[kind]),
            tenants={
                tenant: now - timedelta(days=overrides[kind])
                for tenant, overrides in self.tenant_days.items()
                if kind in overrides
            },
        )

    def is_due(self, kind: RecordKind, tenant_id: str, created_at: datetime, now: datetime) -> bool:
        return created_at < self.cutoffs(kind, now).for_tenant(tenant_id)
