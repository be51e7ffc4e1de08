from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from accord.shared.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_EXAMPLE_", env_file=None, extra="ignore")
    service: ClassVar[str] = "example"


@pytest.fixture(autouse=True)
def kafka(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "https://id.example")
    monkeypatch.setenv("ACCORD_OIDC_JWKS_URL", "https://id.example/jwks")
    monkeypatch.delenv("ACCORD_OIDC_JWKS", raising=False)  # the session may have set it for the services


def test_reads_the_service_prefixed_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    settings = ExampleSettings()  # type: ignore[call-arg]
    assert settings.db_schema == "example"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert "s3cr3t" not in repr(settings)


def test_a_missing_secret_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_EXAMPLE_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="database_url"):
        ExampleSettings()  # type: ignore[call-arg]


@pytest.mark.parametrize("password", ["changeme", "CHANGE_ME", "<password>", "password"])
def test_a_placeholder_secret_fails_fast(monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", f"postgresql://accord_example:{password}@db/accord")
    with pytest.raises(ValidationError, match="placeholder"):
        ExampleSettings()  # type: ignore[call-arg]


def test_a_url_without_password_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example@db/accord")
    with pytest.raises(ValidationError, match="password"):
        ExampleSettings()  # type: ignore[call-arg]


def test_a_consumer_gather_as_long_as_the_busy_window_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    assert ExampleSettings().consumer_gather_ms == 150  # type: ignore[call-arg]
    monkeypatch.setenv("ACCORD_EXAMPLE_CONSUMER_GATHER_MS", "250")
    with pytest.raises(ValidationError, match="consumer_gather_ms"):
        ExampleSettings()  # type: ignore[call-arg]
