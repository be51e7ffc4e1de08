from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The notifications service's settings: ACCORD_NOTIFICATIONS_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_NOTIFICATIONS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "notifications"
