from datetime import timedelta
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from accord.progress.domain.feedback import FEEDBACK_CHECK_EVERY_DAYS, FEEDBACK_LOW_BELOW
from accord.shared.episode_keys import Sealer
from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The progress service's settings: ACCORD_PROGRESS_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_PROGRESS_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "progress"
    keeps_episode_keys: ClassVar[bool] = True

    def sealer(self) -> Sealer:
        from accord.progress.adapters.episode_keys import sealer  # the adapters import these settings' package

        return sealer(self.db_schema)

    gbo_reliable_change: float = Field(default=2.45, gt=0, description="GBO rise counted as reliable (CORC data)")
    review_sweep_seconds: float = Field(default=3600, gt=0, description="how often quiet and overdue goals are checked")
    clock_skew: timedelta = Field(
        default=timedelta(minutes=5), description="how far in the future a device clock may be"
    )
    batch_limit: int = Field(default=500, ge=1, le=5000, description="entries per offline-sync request at most")
    feedback_instruments_file: Path | None = Field(
        default=None,
        description="JSON: tenant id -> its session feedback instrument (a licensed, validated one); others get"
        " Accord's own four questions",
    )
    feedback_low_below: int = Field(
        default=FEEDBACK_LOW_BELOW,
        ge=1,
        le=10,
        description="a session feedback's overall answer (0-10) below this is low: the therapist is told, as the"
        " caseload shows it (keep it equal to reporting's ACCORD_REPORTING_FEEDBACK_LOW_BELOW)",
    )
    feedback_low_below_by_tenant: dict[str, Annotated[int, Field(ge=1, le=10)]] = {}

    def low_below(self, tenant_id: str) -> int:
        return self.feedback_low_below_by_tenant.get(tenant_id, self.feedback_low_below)

    feedback_check_every_days: int = Field(
        default=FEEDBACK_CHECK_EVERY_DAYS,
        ge=0,
        le=365,
        description="with no session marked held for this many days, the young person is invited to the feedback"
        " check all the same; 0: only after sessions marked held",
    )
    feedback_check_every_days_by_tenant: dict[str, Annotated[int, Field(ge=0, le=365)]] = {}

    def check_every_days(self, tenant_id: str) -> int:
        return self.feedback_check_every_days_by_tenant.get(tenant_id, self.feedback_check_every_days)
