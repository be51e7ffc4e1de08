from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The progress service's settings: ACCORD_PROGRESS_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_PROGRESS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "progress"
