from typing import Annotated, ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from accord.goals.domain.alignment import DEFAULT_DIVERGENCE_THRESHOLD
from accord.shared.episode_keys import Sealer
from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The goals service's settings: ACCORD_GOALS_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_GOALS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True)

    service: ClassVar[str] = "goals"
    keeps_episode_keys: ClassVar[bool] = True  # it makes them: it opens with them too, should it handle a sealed event

    active_goal_limit: int = Field(default=5, ge=1, le=20, description="goals in play per episode at most")
    divergence_threshold: int = Field(default=DEFAULT_DIVERGENCE_THRESHOLD, ge=1, le=10)
    """Points of importance (0-10) between the parties' highest and lowest answer at which a goal's answers
    diverge (docs/alliance.md)."""
    divergence_threshold_by_tenant: dict[str, Annotated[int, Field(ge=1, le=10)]] = {}
    """Per-tenant thresholds, JSON: `{"tenant-a": 3}`; other tenants keep `divergence_threshold`."""

    retention_clinical_record_days: int = Field(
        default=2922,
        ge=1,
        description="days after an episode closed until its clinical record is removed (8 years by default; the"
        " deploying organisation sets the period its code of practice requires)",
    )
    retention_clinical_record_days_by_tenant: dict[str, Annotated[int, Field(ge=1)]] = {}
    """Per-tenant clinical retention periods, JSON: `{"tenant-a": 7305}`; other tenants keep the default."""

    def sealer(self) -> Sealer:
        from accord.goals.adapters.episode_keys import sealer  # the adapters import these settings' package

        return sealer(self.db_schema)

    def clinical_record_days_for(self, tenant_id: str) -> int:
        return self.retention_clinical_record_days_by_tenant.get(tenant_id, self.retention_clinical_record_days)

    def divergence_threshold_for(self, tenant_id: str) -> int:
        return self.divergence_threshold_by_tenant.get(tenant_id, self.divergence_threshold)
