"""Settings every service shares, read from the environment (pydantic-settings); fails fast when a secret is
missing or still a placeholder."""

import base64
import binascii
import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import AliasChoices, Field, SecretStr, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.shared.events.contracts.goals import WrappingKeyId
from accord.shared.events.retention import DEAD_LETTER_DAYS

if TYPE_CHECKING:
    from accord.shared.episode_keys import Sealer
    from accord.shared.events.sealing import WrappingKeys

WRAPPING_KEY_ID = TypeAdapter(WrappingKeyId)
VERIFIED_SSLMODES = ("verify-full", "verify-ca")
PLACEHOLDERS = {"", "changeme", "change-me", "change_me", "placeholder", "secret", "password", "todo", "xxx"}

# Written by `scripts/up` for local runs; absent (and ignored) in containers, where the environment rules.
DEFAULT_LOCAL_ENV_FILE = Path(__file__).resolve().parents[4] / ".accord" / "local" / "services.env"


def local_env_file() -> Path | None:
    """The env file settings read below the environment: `ACCORD_LOCAL_ENV_FILE` if set (empty: none, for a test that
    must not read what a developer's `scripts/up` left behind), else the local stack's. Read when a process starts."""
    named = os.environ.get("ACCORD_LOCAL_ENV_FILE")
    if named is None:
        return DEFAULT_LOCAL_ENV_FILE
    return Path(named) if named else None


LOCAL_ENV_FILE = local_env_file()


def is_placeholder(secret: str) -> bool:
    lowered = secret.strip().lower()
    return lowered in PLACEHOLDERS or lowered.startswith("<") or "change_me" in lowered or "changeme" in lowered


class WebSettings(BaseSettings):
    """What every process serving HTTP reads (the gateway, and each service through ServiceSettings); a subclass
    sets `service` and `env_prefix` (ACCORD_<SERVICE>_)."""

    model_config = SettingsConfigDict(env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True)

    service: ClassVar[str]

    environment: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=AliasChoices("ACCORD_ENVIRONMENT")
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("ACCORD_LOG_LEVEL"))
    log_json: bool = Field(default=True, validation_alias=AliasChoices("ACCORD_LOG_JSON"))
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="larger request bodies get 413")
    oidc_issuer: str = Field(validation_alias=AliasChoices("ACCORD_OIDC_ISSUER"), min_length=1)
    oidc_audience: str = Field(default="accord", validation_alias=AliasChoices("ACCORD_OIDC_AUDIENCE"))
    oidc_jwks_url: str | None = Field(default=None, validation_alias=AliasChoices("ACCORD_OIDC_JWKS_URL"))
    oidc_jwks: str | None = Field(
        default=None, validation_alias=AliasChoices("ACCORD_OIDC_JWKS"), description="inline JWKS JSON (public keys)"
    )

    @model_validator(mode="after")
    def _one_source_of_signing_keys(self) -> "WebSettings":
        if (self.oidc_jwks_url is None) == (self.oidc_jwks is None):
            raise ValueError("set exactly one of ACCORD_OIDC_JWKS_URL or ACCORD_OIDC_JWKS")
        return self


class ServiceSettings(WebSettings):
    """Base of each service's Settings: a service owns a database schema and talks to Kafka."""

    keeps_episode_keys: ClassVar[bool] = False
    """The service has an `episode_keys` table: its consumers open sealed events (`accord.shared.episode_keys`)."""

    def sealer(self) -> "Sealer | None":
        """How this service's outbox seals its events about an episode; None for a service that publishes none."""
        return None

    database_url: SecretStr = Field(description="postgresql:// URL of this service's own login role")
    kafka_bootstrap_servers: str = Field(validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"), min_length=3)
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL"),
        description="SASL_SSL (SCRAM-SHA-512 over TLS); PLAINTEXT only outside production",
    )
    kafka_username: str | None = Field(default=None, description="this service's own Kafka principal")
    kafka_password: SecretStr | None = Field(default=None, description="its SCRAM-SHA-512 password")
    kafka_ca_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_CA_FILE"),
        description="PEM certificates the broker's certificate must chain to (else the system's)",
    )
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    outbox_batch_size: int = Field(default=1000, ge=1, le=10_000)
    outbox_poll_interval_seconds: float = Field(default=1.0, gt=0)
    outbox_gather_ms: float = Field(
        default=60,
        ge=0,
        le=100,
        description="after a commit wakes a busy relay, how long at most later ones may join its batch",
    )
    outbox_gather_rows: int = Field(
        default=75,
        ge=0,
        le=10_000,
        description="a busy relay's pause ends sooner when, at the rate its last batch came in, this many rows have"
        " gathered (75: 25 ms at 3,000 events/s, the most at a few hundred); 0: always the most",
    )
    consumer_max_attempts: int = Field(default=3, ge=1, le=20)
    consumer_episode_key_wait_seconds: float = Field(
        default=300.0,
        gt=0,
        le=86_400,
        description="how long a consumer holds back a sealed event whose episode's key has not arrived (its partition"
        " waits with it) before it dead-letters the event, to be replayed once the key is here",
    )
    consumer_stop_grace_seconds: float = Field(
        default=3.0,
        ge=0,
        le=60,
        description="on stop, how long a batch being applied may go on before it is abandoned (and redelivered)",
    )
    consumer_commit_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="an offset commit that has not returned by then is wedged: the consumer is started again in the"
        " same process (inbox/wedged.py). Above a broker restart's usual outage, which a commit rides out by retrying",
    )
    retention_sweep_seconds: float = Field(
        default=3600.0, gt=0, description="how often the worker removes records past their retention period"
    )
    retention_batch_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="rows removed per transaction, so that no removal holds locks for long",
    )
    retention_idempotency_keys_days: int = Field(
        default=30, ge=1, description="how long a remembered answer to an Idempotency-Key request is kept"
    )
    retention_dead_letter_records_days: int = Field(
        default=DEAD_LETTER_DAYS,
        ge=1,
        description="how long the record of what a consumer group dead-lettered is kept: as long as the dead-letter"
        " topic keeps the message (its retention in the topic registry), after which it cannot be replayed",
    )
    retention_export_parts_days: int = Field(
        default=30,
        ge=1,
        description="how long this service keeps its part of a subject access export ready for download",
    )
    consumer_max_records: int = Field(default=500, ge=1, le=10_000)
    consumer_fetch_min_bytes: int = Field(
        default=1, ge=1, description="the broker holds a fetch until this much has gathered (or the wait ends)"
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=500, ge=0, le=500, description="how long a fetch waits for data: with fetch_min_bytes 1, an idle wait"
    )
    consumer_idle_poll_ms: int = Field(
        default=20, ge=1, le=1000, description="how often an idle consumer looks for a batch: an idle event's most wait"
    )
    consumer_commit_interval_ms: float = Field(
        default=1000,
        ge=0,
        le=10_000,
        description="while events flow, how long a consumer may hold applied batches' offsets before committing them"
        " (one commit for several batches; after a quiet spell a batch's offsets are committed at once). Their"
        " effects are committed already: offsets not yet committed only mean events delivered again, and skipped",
    )
    consumer_gather_ms: float = Field(
        default=150,
        ge=0,
        # Below the quarter second within which a batch counts as following the previous one (inbox/subscriber.py):
        # a longer pause would make every other batch of a flowing stream look like the first after a quiet spell,
        # handled without a pause, and halve what the gather saves.
        le=200,
        description="while events are flowing, the pause after a batch that lets the next one fill up",
    )

    episode_key_wrapping_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("ACCORD_EPISODE_KEY_WRAPPING_KEYS"),
        description='JSON, id -> base64 of 256 random bits: {"2026-11": "..."}. The key-encryption keys the episodes\''
        " data keys travel under on accord.episode-keys.v1; the same in the goals, progress, notifications and"
        " reporting services. Required in production (outside it, a development key protects nothing)",
    )
    episode_key_wrapping_key_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ACCORD_EPISODE_KEY_WRAPPING_KEY_ID"),
        description="which of them wraps new keys (the others only unwrap: rotation); needed when more than one",
    )

    @property
    def db_schema(self) -> str:
        return self.service

    def episode_key_wrapping(self) -> "WrappingKeys":
        """The key-encryption keys of the episodes' data keys (`events/sealing.py`); outside production, when none are
        set, the development key."""
        given = tuple((key_id, secret.get_secret_value()) for key_id, secret in self.episode_key_wrapping_keys.items())
        return _wrapping_keys(given, self.episode_key_wrapping_key_id)

    @field_validator("episode_key_wrapping_keys", mode="before")
    @classmethod
    def _wrapping_keys_from_json(cls, value: object) -> object:
        # The environment's JSON is decoded by pydantic-settings; the same text handed to the constructor is not.
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _episode_keys_are_wrapped_under_a_real_key_in_production(self) -> "ServiceSettings":
        if not self.keeps_episode_keys:
            return self
        if self.environment == "production" and not self.episode_key_wrapping_keys:
            raise ValueError("set ACCORD_EPISODE_KEY_WRAPPING_KEYS: production has no development wrapping key")
        for key_id in self.episode_key_wrapping_keys:
            if not _is_wrapping_key_id(key_id) or key_id == "development":
                raise ValueError(f"wrapping key id {key_id!r}: 1-32 of A-Z a-z 0-9 . _ -, and not 'development'")
        try:
            self.episode_key_wrapping()
        except (ValueError, binascii.Error) as e:
            raise ValueError(f"ACCORD_EPISODE_KEY_WRAPPING_KEYS: {e}") from None
        return self

    @model_validator(mode="after")
    def _kafka_is_secured_in_production(self) -> "ServiceSettings":
        if self.kafka_security_protocol == "PLAINTEXT":
            if self.environment == "production":
                raise ValueError("KAFKA_SECURITY_PROTOCOL=PLAINTEXT is refused in production: use SASL_SSL")
            return self
        password = self.kafka_password.get_secret_value() if self.kafka_password else ""
        if not self.kafka_username or is_placeholder(password):
            raise ValueError("SASL_SSL needs this service's kafka_username and a real kafka_password")
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url_has_real_password(cls, value: SecretStr) -> SecretStr:
        url = urlsplit(value.get_secret_value())
        if url.scheme not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL")
        if url.password is None or is_placeholder(url.password):
            raise ValueError("has no password or a placeholder one: set the real secret")
        return value

    @model_validator(mode="after")
    def _database_is_verified_in_production(self) -> "ServiceSettings":
        """Where the connection leaves the machine it is TLS with the server's certificate verified: the URL's
        libpq parameters (`?sslmode=verify-full&sslrootcert=/path/ca.crt`, which asyncpg reads) say so."""
        query = parse_qs(urlsplit(self.database_url.get_secret_value()).query)
        sslmode = query.get("sslmode", ["prefer"])[-1]
        if self.environment == "production" and sslmode not in VERIFIED_SSLMODES:
            raise ValueError(
                f"database_url has sslmode={sslmode}: production needs sslmode=verify-full (or verify-ca) "
                "with sslrootcert naming the CA"
            )
        return self


@functools.lru_cache(maxsize=8)
def _wrapping_keys(given: tuple[tuple[str, str], ...], current: str | None) -> "WrappingKeys":
    """Parsed once per process (a command that opens an episode asks for them), not once per request."""
    from accord.shared.events.sealing import WrappingKeys

    if not given:
        return WrappingKeys.development()
    keys = {key_id: base64.b64decode(secret, validate=True) for key_id, secret in given}
    current = current or (given[0][0] if len(given) == 1 else None)
    if current is None:
        raise ValueError("set ACCORD_EPISODE_KEY_WRAPPING_KEY_ID: several wrapping keys are given")
    return WrappingKeys(keys, current)


def _is_wrapping_key_id(key_id: str) -> bool:
    """Whether `EpisodeKeyIssued` could carry this id (its contract's rule, so a key accepted here is never one whose
    events every consumer would refuse)."""
    try:
        WRAPPING_KEY_ID.validate_python(key_id)
    except ValidationError:
        return False
    return True
