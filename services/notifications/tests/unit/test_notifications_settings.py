import base64
import os

import pytest
from pydantic import ValidationError

from accord.notifications.settings import Settings

REQUIRED = {
    "database_url": "postgresql://accord_notifications:s3cr3t-pw@127.0.0.1:5432/accord",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
    "ACCORD_OIDC_ISSUER": "https://id.example",
    "ACCORD_OIDC_JWKS": '{"keys": []}',
}

# What production takes besides: its own Kafka principal over TLS and a verified database connection.
PRODUCTION = {
    "ACCORD_ENVIRONMENT": "production",
    "database_url": "postgresql://accord_notifications:s3cr3t-pw@127.0.0.1:5432/accord?sslmode=verify-full",
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "kafka_username": "accord-notifications",
    "kafka_password": "a-real-Secret-1",
}


@pytest.fixture(autouse=True)
def no_notifications_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test passes counts: not the environment of whatever ran before, nor a local env file."""
    for name in list(os.environ):
        if name.startswith("ACCORD_NOTIFICATIONS_"):
            monkeypatch.delenv(name)


def settings(**extra: object) -> Settings:
    return Settings(_env_file=None, **{**REQUIRED, **extra})  # type: ignore[arg-type,call-arg]


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
