from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """ACCORD_DEV_IDP_* variables. One confidential client (the gateway) is registered from them."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_DEV_IDP_", extra="ignore", frozen=True)

    issuer: str = Field(description="this provider's own base URL, as browsers and the gateway reach it")
    access_token_issuer: str | None = Field(
        default=None,
        description="`iss` of access tokens when the services are configured with another issuer (local stack, tests)",
    )
    keys_dir: Path = Field(description="where the signing keys live (DevIdentityProvider.load_or_create)")
    client_id: str = "accord-gateway"
    client_secret: str = Field(min_length=16)
    redirect_uris: list[str] = Field(min_length=1, description="the gateway's /auth/callback")
    post_logout_redirect_uris: list[str] = Field(default=[])
    access_token_seconds: int = Field(default=300, ge=1, description="short, so refreshes happen")
    refresh_token_seconds: int = Field(default=12 * 3600, ge=1)
    id_token_seconds: int = Field(default=300, ge=1)
    environment: str = Field(default="development", validation_alias="ACCORD_ENVIRONMENT")

    @model_validator(mode="after")
    def _never_in_production(self) -> "Settings":
        if self.environment == "production":
            raise ValueError("the development identity provider never runs in production")
        return self
