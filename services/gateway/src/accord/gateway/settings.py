from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The gateway's settings: ACCORD_GATEWAY_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_GATEWAY_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "gateway"

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
    redis_url: str | None = Field(default=None, description="shared rate-limit store when several gateways run")
    dev_identity_provider: bool = Field(default=False, description="issue demo tokens; development and test only")

    @model_validator(mode="after")
    def _dev_identity_provider_never_in_production(self) -> "Settings":
        if self.dev_identity_provider and self.environment == "production":
            raise ValueError("the development identity provider cannot be enabled in production")
        return self
