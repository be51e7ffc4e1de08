from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The goals service's settings: ACCORD_GOALS_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_GOALS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True)

    service: ClassVar[str] = "goals"

    active_goal_limit: int = Field(default=5, ge=1, le=20, description="goals in play per episode at most")
