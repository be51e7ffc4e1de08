from pathlib import Path
from typing import ClassVar

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from accord.shared.services import SERVICES
from accord.shared.settings import LOCAL_ENV_FILE, WebSettings


def default_dist_dir() -> Path | None:
    """The repository's web/dist, when the gateway runs from a checkout and the app has been built."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "web" / "dist"
        if (candidate / "index.html").is_file():
            return candidate
    return None


class Settings(WebSettings):
    """The gateway's settings: ACCORD_GATEWAY_* variables, plus those of every HTTP process. No database and no
    Kafka: the gateway's only state is its rate-limit store and the browsers' sessions."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_GATEWAY_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "gateway"

    # One ACCORD_GATEWAY_<SERVICE>_URL per service of accord.shared.services: see upstream_urls().
    goals_url: str = Field(default="http://127.0.0.1:8001", description="base URL of the goals service's API")
    progress_url: str = Field(default="http://127.0.0.1:8002")
    notifications_url: str = Field(default="http://127.0.0.1:8003")
    reporting_url: str = Field(default="http://127.0.0.1:8004")
    upstream_timeout_seconds: float = Field(default=5.0, gt=0, description="per request to a service")
    reporting_timeout_seconds: float = Field(default=15.0, gt=0, description="reports and exports take longer")
    upstream_connections: int = Field(default=100, ge=1, description="pooled connections per service")
    stream_connections: int = Field(default=10_000, ge=1, description="open event streams per service, at most")
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, description="larger requests get 413")
    cors_origins: list[str] = Field(default=["http://localhost:5173"], description="the web client's origins")
    user_rate_per_second: float = Field(default=20, gt=0)
    user_burst: int = Field(default=60, ge=1)
    address_rate_per_second: float = Field(default=50, gt=0)
    address_burst: int = Field(default=150, ge=1)
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default=[],
        description="addresses or CIDRs of the proxies in front (e.g. the ingress controller's pods): only a request "
        "from one of them has its client address taken from X-Forwarded-For",
    )
    redis_url: str | None = Field(
        default=None, description="shared rate-limit and session store when several gateways run"
    )

    # The web app's sign-in: the gateway as a confidential OIDC client (deploy/README.md names each setting).
    public_base_url: str = Field(
        default="http://127.0.0.1:8080",
        pattern=r"^https?://[^/\s]+$",
        description="the site's public origin: the redirect URIs and the CSRF Origin check derive from it",
    )
    login_issuer: str | None = Field(default=None, description="the identity provider's issuer; unset: no sign-in")
    login_client_id: str = "accord-gateway"
    login_client_secret: SecretStr | None = None
    login_scopes: str = "openid profile offline_access"
    session_idle_seconds: float = Field(default=30 * 60, gt=0)
    session_absolute_seconds: float = Field(default=12 * 3600, gt=0)
    session_refresh_margin_seconds: float = Field(default=60, ge=0, description="refresh this long before expiry")
    session_cookie_secure: bool = Field(
        default=True, description="false only for plain-http clients that never send a Secure cookie (see browser.py)"
    )
    first_screen_deadline_seconds: float = Field(
        default=0.4, gt=0, description="how long / waits for the young person's data to render Today into the page"
    )
    web_dist_dir: Path | None = Field(
        default_factory=default_dist_dir, description="the built web app (web/dist); unset: no app at /"
    )

    def upstream_urls(self) -> dict[str, str]:
        """Each service's base URL, for every service of accord.shared.services."""
        return {service: str(getattr(self, f"{service}_url")) for service in SERVICES}

    @model_validator(mode="after")
    def _browser_sessions_secure_in_production(self) -> "Settings":
        if self.environment == "production" and not self.session_cookie_secure:
            raise ValueError("the session cookie must be Secure in production")
        if self.environment == "production" and self.login_issuer and not self.public_base_url.startswith("https://"):
            raise ValueError("browser sign-in in production needs an https public_base_url")
        if self.login_issuer and self.login_client_secret is None:
            raise ValueError("login_issuer needs login_client_secret: the gateway is a confidential client")
        return self
