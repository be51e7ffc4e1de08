from datetime import UTC, datetime, timedelta

from accord.notifications.domain.retention import RecordKind, Schedule

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SCHEDULE = Schedule(
    days={
        RecordKind.DELIVERIES: 90,
        RecordKind.IN_APP_MESSAGES: 90,
        RecordKind.HELD_TRIGGERS: 30,
        RecordKind.IDEMPOTENCY_KEYS: 30,
    },
    tenant_days={"long-keeping": {RecordKind.IN_APP_MESSAGES: 365}},
)


def test_a_record_older_than_its_kinds_period_is_due_and_one_just_inside_it_is_not() -> None:
    assert SCHEDULE.is_due(RecordKind.HELD_TRIGGERS, "t", NOW - timedelta(days=30, seconds=1), NOW)
    assert not SCHEDULE.is_due(RecordKind.HELD_TRIGGERS, "t", NOW - timedelta(days=29, hours=23), NOW)
    assert not SCHEDULE.is_due(RecordKind.DELIVERIES, "t", NOW - timedelta(days=31), NOW)


def test_a_tenant_override_applies_to_that_tenant_and_that_kind_only() -> None:
    a_year_less_a_day = NOW - timedelta(days=364)
    assert not SCHEDULE.is_due(RecordKind.IN_APP_MESSAGES, "long-keeping", a_year_less_a_day, NOW)
    assert SCHEDULE.is_due(RecordKind.IN_APP_MESSAGES, "other", a_year_less_a_day, NOW)
    assert SCHEDULE.is_due(RecordKind.DELIVERIES, "long-keeping", a_year_less_a_day, NOW)
    assert SCHEDULE.cutoffs(RecordKind.DELIVERIES, NOW).tenants == {}
