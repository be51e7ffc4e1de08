import base64
import json
import os
import re
from typing import ClassVar
from uuid import uuid4

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from accord.shared.events.contracts.goals import EpisodeKeyIssued
from accord.shared.events.sealing import DEVELOPMENT_WRAPPING_KEY_ID, WrappingKeys
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


class KeyKeepingSettings(ExampleSettings):
    keeps_episode_keys: ClassVar[bool] = True


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_production_refuses_to_start_a_key_keeping_service_without_a_wrapping_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    monkeypatch.delenv("ACCORD_EPISODE_KEY_WRAPPING_KEYS", raising=False)
    with pytest.raises(ValidationError, match="ACCORD_EPISODE_KEY_WRAPPING_KEYS"):
        KeyKeepingSettings()  # type: ignore[call-arg]
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "development")
    # Outside production, the development key: announced keys still travel wrapped, under a key that is no secret.
    assert KeyKeepingSettings().episode_key_wrapping().current == DEVELOPMENT_WRAPPING_KEY_ID  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("keys", "current", "complaint"),
    [
        ({"k1": "bm90IDMyIGJ5dGVz"}, None, "32 bytes"),
        ({"k1": "not base64!"}, None, "ACCORD_EPISODE_KEY_WRAPPING_KEYS"),
        ({"k1": "K1", "k2": "K2"}, None, "ACCORD_EPISODE_KEY_WRAPPING_KEY_ID"),
        ({"k1": "K1"}, "k9", "'k9' is not among"),
        ({"development": "K1"}, None, "not 'development'"),
        ({"a b": "K1"}, None, "wrapping key id 'a b'"),
        ({"k" * 33: "K1"}, None, "wrapping key id 'kkk"),
    ],
)
def test_a_wrapping_key_that_is_not_usable_fails_fast_naming_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, keys: dict[str, str], current: str | None, complaint: str
) -> None:
    given = {key_id: _key() if value in ("K1", "K2") else value for key_id, value in keys.items()}
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEYS", json.dumps(given))
    if current:
        monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEY_ID", current)
    with pytest.raises(ValidationError, match=re.escape(complaint)):
        KeyKeepingSettings()  # type: ignore[call-arg]


@pytest.mark.parametrize("key_id", ["k", "k" * 32, "2026-11", "a.b_c-D9", "k" * 33, "a b", "a/b", "é", ""])
def test_the_settings_accept_a_wrapping_key_id_exactly_when_the_event_carrying_it_would(
    monkeypatch: pytest.MonkeyPatch, key_id: str
) -> None:
    """An id the settings took but EpisodeKeyIssued refused would have every episode's key refused by its consumers."""
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEYS", json.dumps({key_id: _key()}))
    try:
        KeyKeepingSettings()  # type: ignore[call-arg]
        settings_take = True
    except ValidationError:
        settings_take = False
    fields = {"client_id": uuid4(), "episode_id": uuid4(), "wrapped_key": "A" * 54 + "=="}
    try:
        EpisodeKeyIssued(wrapping_key_id=key_id, **fields)  # type: ignore[arg-type]
        event_takes = True
    except ValidationError:
        event_takes = False
    assert settings_take == event_takes


def test_two_wrapping_keys_wrap_under_the_one_named_and_unwrap_under_either(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = _key(), _key()
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEYS", json.dumps({"2026-01": old, "2026-11": new}))
    monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEY_ID", "2026-11")
    settings = KeyKeepingSettings()  # type: ignore[call-arg]
    assert new not in repr(settings) and old not in repr(settings)
    wrapping, episode, data_key = settings.episode_key_wrapping(), uuid4(), os.urandom(32)
    key_id, wrapped = wrapping.wrap(episode, data_key)
    assert key_id == "2026-11" and wrapping.unwrap(key_id, episode, wrapped) == data_key
    # A key wrapped before the rotation still opens.
    _, before = WrappingKeys({"2026-01": base64.b64decode(old)}, "2026-01").wrap(episode, data_key)
    assert wrapping.unwrap("2026-01", episode, before) == data_key


def test_a_consumer_gather_as_long_as_the_busy_window_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EXAMPLE_DATABASE_URL", "postgresql://accord_example:s3cr3t-Xq@db:5432/accord")
    assert ExampleSettings().consumer_gather_ms == 150  # type: ignore[call-arg]
    monkeypatch.setenv("ACCORD_EXAMPLE_CONSUMER_GATHER_MS", "250")
    with pytest.raises(ValidationError, match="consumer_gather_ms"):
        ExampleSettings()  # type: ignore[call-arg]
