import base64
import json
import os

import pytest
from notifications_fakes import settings
from pydantic import ValidationError

from accord.notifications.domain.retention import RecordKind

# What production takes besides: its own Kafka principal over TLS and a verified database connection.
PRODUCTION = {
    "ACCORD_ENVIRONMENT": "production",
    "database_url": "postgresql://accord_notifications:s3cr3t-pw@127.0.0.1:5432/accord?sslmode=verify-full",
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "kafka_username": "accord-notifications",
    "kafka_password": "a-real-Secret-1",
    # Base64 of 32 bytes: the key-encryption key of the episodes' data keys, which production requires.
    "ACCORD_EPISODE_KEY_WRAPPING_KEYS": '{"2026-11": "c3RhbmQtaW4gd3JhcHBpbmcga2V5LCAzMiBieXRlcyE="}',
}


@pytest.fixture(autouse=True)
def no_notifications_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test passes counts: not the environment of whatever ran before, nor a local env file."""
    for name in list(os.environ):
        if name.startswith("ACCORD_NOTIFICATIONS_"):
            monkeypatch.delenv(name)


def test_push_is_off_without_a_vapid_key_and_the_rest_has_safe_local_defaults() -> None:
    s = settings()
    assert not s.push_enabled
    assert (s.smtp_host, s.smtp_port) == ("127.0.0.1", 1025)
    assert s.push_require_https


def test_a_vapid_key_turns_push_on() -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    assert settings(vapid_private_key=key).push_enabled


@pytest.mark.parametrize("key", ["changeme", "<vapid-private-key>", "not-a-key"])
def test_a_placeholder_or_malformed_vapid_key_fails_at_start(key: str) -> None:
    with pytest.raises(ValidationError):
        settings(vapid_private_key=key)


def test_a_placeholder_smtp_password_fails_at_start() -> None:
    with pytest.raises(ValidationError):
        settings(smtp_password="password")


def test_links_must_be_https_in_production() -> None:
    with pytest.raises(ValidationError, match="https"):
        settings(**PRODUCTION, app_base_url="http://app.example")
    assert settings(**PRODUCTION, app_base_url="https://app.example").app_base_url


def test_the_settings_give_the_documented_defaults_and_read_tenant_overrides_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_NOTIFICATIONS_RETENTION_TENANT_DAYS", json.dumps({"t1": {"held_triggers": 7}}))
    schedule = settings().retention_schedule
    assert dict(schedule.days) == {
        RecordKind.DELIVERIES: 90,
        RecordKind.IN_APP_MESSAGES: 90,
        RecordKind.HELD_TRIGGERS: 30,
        RecordKind.IDEMPOTENCY_KEYS: 30,
        RecordKind.EXPORT_PARTS: 30,
    }
    assert schedule.days_for(RecordKind.HELD_TRIGGERS, "t1") == 7


@pytest.mark.parametrize(
    "overrides",
    [{"t1": {"held_triggers": 0}}, {"t1": {"audit_log": 30}}],
    ids=["a period of zero days", "a kind that is not removable"],
)
def test_a_tenant_override_that_is_not_a_removable_kind_for_at_least_a_day_is_refused(
    overrides: dict[str, dict[str, int]],
) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(retention_tenant_days=overrides)
    assert refused.value.errors()[0]["loc"][0] == "retention_tenant_days"


def test_a_retention_period_of_zero_days_is_refused() -> None:
    with pytest.raises(ValidationError):
        settings(retention_deliveries_days=0)
