import base64
from typing import Annotated, ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from accord.notifications.domain.retention import RecordKind, Schedule
from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings, is_placeholder


class Settings(ServiceSettings):
    """The notifications service's settings: ACCORD_NOTIFICATIONS_* variables, plus the shared ones.

    Everything that is not a secret has a safe local default (a mail catcher on 127.0.0.1:1025, links to a local
    app). Web Push is off until a VAPID private key is given: subscriptions are bound to the key's public half,
    so a key generated at start-up would silently orphan every subscription on the next restart.
    """

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_NOTIFICATIONS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "notifications"
    keeps_episode_keys: ClassVar[bool] = True

    app_base_url: str = Field(default="http://127.0.0.1:8080", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    """Where links in messages point: the public base URL of the web app (the gateway serves it at `/`), which asks
    the person to sign in before showing anything. Paths are the app's routes (`domain/links.py`)."""

    default_locale: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    default_time_zone: str = "Europe/London"
    digest_hour: int = Field(default=17, ge=0, le=23)
    """Local hour at which clinicians who chose a digest receive it."""

    email_enabled: bool = True
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_sender: str = Field(default="no-reply@accord.localhost", pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = False
    smtp_start_tls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    email_confirmation_hours: int = Field(default=48, ge=1, le=24 * 30)
    """How long the link that confirms a new e-mail address works; the person can ask for a new one."""

    vapid_private_key: SecretStr | None = None
    """Raw P-256 private key, base64url (as `vapid --gen` or web-push tools print it). Unset: push is off."""
    vapid_subject: str = Field(default="mailto:notifications@accord.localhost", pattern=r"^(mailto:|https://)\S+$")
    push_ttl_seconds: int = Field(default=24 * 3600, ge=0)
    push_timeout_seconds: float = Field(default=10.0, gt=0)
    push_require_https: bool = True
    push_endpoint_hosts: tuple[str, ...] = (
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    )
    """Push endpoints must be on one of these hosts (or a subdomain): the service posts to them, so an arbitrary
    URL would let anyone make it call into the internal network."""

    dispatch_enabled: bool = True
    dispatch_batch_size: int = Field(default=50, ge=1, le=1000)
    dispatch_concurrency: int = Field(default=4, ge=1, le=32)
    dispatch_poll_interval_seconds: float = Field(default=5.0, gt=0)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    retry_backoff_seconds: float = Field(default=30.0, gt=0)
    retry_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    check_ins_enabled: bool = True

    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    """How often an open inbox stream sends a comment line, so that proxies and load balancers keep it open."""
    stream_retry_ms: int = Field(default=3000, ge=100)
    """The `retry:` hint: how long a browser waits before reconnecting a dropped stream."""
    stream_send_timeout_seconds: float = Field(default=30.0, gt=0)
    """A stream whose client has not taken an event (or heartbeat) for this long is closed."""
    stream_batch_size: int = Field(default=100, ge=1, le=1000)

    retention_enabled: bool = True
    """The worker's retention sweep (`handlers/retention.py`); its period, batch size and the idempotency keys'
    period are the shared `retention_*` settings."""
    retention_deliveries_days: int = Field(default=90, ge=1)
    retention_in_app_messages_days: int = Field(default=90, ge=1)
    retention_held_triggers_days: int = Field(default=30, ge=1)
    retention_tenant_days: dict[str, dict[RecordKind, Annotated[int, Field(ge=1)]]] = {}
    """Per-tenant overrides, JSON: `{"tenant-a": {"in_app_messages": 365}}`; kinds not named keep the default."""

    @property
    def retention_schedule(self) -> Schedule:
        return Schedule(
            days={
                RecordKind.DELIVERIES: self.retention_deliveries_days,
                RecordKind.IN_APP_MESSAGES: self.retention_in_app_messages_days,
                RecordKind.HELD_TRIGGERS: self.retention_held_triggers_days,
                RecordKind.IDEMPOTENCY_KEYS: self.retention_idempotency_keys_days,
                RecordKind.EXPORT_PARTS: self.retention_export_parts_days,
            },
            tenant_days=self.retention_tenant_days,
        )

    @property
    def push_enabled(self) -> bool:
        return self.vapid_private_key is not None

    @model_validator(mode="after")
    def _https_links_in_production(self) -> "Settings":
        if self.environment == "production" and not self.app_base_url.startswith("https://"):
            raise ValueError("ACCORD_NOTIFICATIONS_APP_BASE_URL must be https:// in production")
        return self

    @field_validator("vapid_private_key", "smtp_password")
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and is_placeholder(value.get_secret_value()):
            raise ValueError("is a placeholder: set the real secret, or leave it unset")
        return value

    @field_validator("vapid_private_key")
    @classmethod
    def _raw_p256_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(_b64url(value.get_secret_value())) != 32:
            raise ValueError("must be a raw P-256 private key (32 bytes, base64url)")
        return value


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError:
        return b""
