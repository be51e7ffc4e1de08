"""A service's Kafka principal comes from its settings: production refuses PLAINTEXT, and SASL_SSL refuses a
missing or placeholder password; the clients then authenticate with SCRAM-SHA-512 over verified TLS."""

import ssl
from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from accord.shared.kafka import client_options, faststream_security
from accord.shared.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_EXAMPLE_", env_file=None, extra="ignore")
    service: ClassVar[str] = "example"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9093")
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "https://id.example")
    monkeypatch.setenv("ACCORD_OIDC_JWKS_URL", "https://id.example/jwks")
    monkeypatch.delenv("ACCORD_OIDC_JWKS", raising=False)
    monkeypatch.setenv(
        "ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord?sslmode=verify-full"
    )
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_CA_FILE", "ACCORD_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_a_plaintext_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    with pytest.raises(ValidationError, match="PLAINTEXT is refused in production"):
        ExampleSettings()  # type: ignore[call-arg]


@pytest.mark.parametrize("password", [None, "changeme", "<kafka password>"])
def test_sasl_ssl_without_a_real_password_fails_fast(monkeypatch: pytest.MonkeyPatch, password: str | None) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_USERNAME", "accord-example")
    if password is None:
        monkeypatch.delenv("ACCORD_EXAMPLE_KAFKA_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_PASSWORD", password)
    with pytest.raises(ValidationError, match="kafka_password"):
        ExampleSettings()  # type: ignore[call-arg]


def test_a_sasl_ssl_service_authenticates_as_its_own_principal_over_verified_tls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_USERNAME", "accord-example")
    monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_PASSWORD", "a-real-Secret-1")
    settings = ExampleSettings()  # type: ignore[call-arg]

    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("accord-example", "a-real-Secret-1")
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert options["ssl_context"].check_hostname
    assert "a-real-Secret-1" not in repr(settings)
    security = faststream_security(settings)
    assert security is not None and security.use_ssl


def test_plaintext_is_the_development_default_and_adds_no_options() -> None:
    settings = ExampleSettings()  # type: ignore[call-arg]
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert client_options(settings) == {}
    assert faststream_security(settings) is None


@pytest.mark.parametrize("query", ["", "?sslmode=require", "?sslmode=prefer", "?sslmode=disable"])
def test_production_refuses_a_database_connection_it_does_not_verify(
    monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    _secured_kafka(monkeypatch)
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", f"postgresql://accord_example:s3cr3t-Xq@db:5432/accord{query}")
    with pytest.raises(ValidationError, match="verify-full"):
        ExampleSettings()  # type: ignore[call-arg]


def test_production_takes_a_verified_database_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    _secured_kafka(monkeypatch)
    url = "postgresql://accord_example:s3cr3t-Xq@db:5432/accord?sslmode=verify-full&sslrootcert=/etc/accord/db-ca.crt"
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", url)
    assert ExampleSettings().database_url.get_secret_value() == url  # type: ignore[call-arg]


def _secured_kafka(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_USERNAME", "accord-example")
    monkeypatch.setenv("ACCORD_EXAMPLE_KAFKA_PASSWORD", "a-real-Secret-1")
