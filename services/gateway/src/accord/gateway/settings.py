from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The gateway service's settings: ACCORD_GATEWAY_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_GATEWAY_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "gateway"
