from typing import Annotated, ClassVar

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from accord.reporting.analytics.keys import KeyPeriod, Keyring
from accord.reporting.domain.alliance import DEFAULT_FEEDBACK_LOW_BELOW, AllianceRules
from accord.reporting.domain.measures import OutcomeRules
from accord.shared.settings import LOCAL_ENV_FILE, ServiceSettings


class Settings(ServiceSettings):
    """The reporting service's settings: ACCORD_REPORTING_* variables, plus the shared ones."""

    model_config = SettingsConfigDict(
        env_prefix="ACCORD_REPORTING_", env_file=LOCAL_ENV_FILE, extra="ignore", frozen=True
    )

    service: ClassVar[str] = "reporting"
    keeps_episode_keys: ClassVar[bool] = True

    suppression_threshold: int = Field(default=5, ge=1, description="withhold figures drawn from fewer clients")
    gbo_reliable_change: float = Field(default=2.45, gt=0, description="GBO rise that counts as reliable (CORC)")
    phq9_caseness: int = Field(default=10, ge=1, le=27)
    gad7_caseness: int = Field(default=8, ge=1, le=21)
    phq9_reliable_change: int = Field(default=6, ge=1, le=27)
    gad7_reliable_change: int = Field(default=4, ge=1, le=21)
    recent_progress_days: int = Field(default=14, ge=1, le=366)
    fhir_base_url: str = Field(default="https://fhir.accord.example/R4", description="fullUrl base in FHIR exports")
    feedback_low_below: int = Field(default=DEFAULT_FEEDBACK_LOW_BELOW, ge=1, le=10)
    """A session feedback's overall answer (0-10) below this shows a `feedback_low` warning (docs/alliance.md)."""
    feedback_low_below_by_tenant: dict[str, Annotated[int, Field(ge=1, le=10)]] = {}
    """Per-tenant lines, JSON: `{"tenant-a": 7}`."""
    alliance_per_therapist_tenants: frozenset[str] = frozenset()
    """Tenants whose supervisors see alliance figures per therapist (for supervision); JSON list."""
    rebuild_batch_size: int = Field(default=5000, ge=100, le=100_000)
    retention_notification_outcomes_days: int = Field(
        default=90,
        ge=1,
        description="how long an e-mail, push or in-app outcome is kept (the notifications service keeps its "
        "deliveries, and accord.notifications.v1 its events, as long)",
    )
    analytics_keys: dict[str, tuple[KeyPeriod, ...]] = Field(
        default_factory=dict,
        description='JSON, tenant -> key periods: {"tenant-a": [{"starts_on": "2025-01-01", "secret": "..."}]}. '
        "Add a period to rotate; keep old ones (see analytics/keys.py). Required in production.",
    )

    @field_validator("analytics_keys")
    @classmethod
    def _one_key_per_period_start(cls, value: dict[str, tuple[KeyPeriod, ...]]) -> dict[str, tuple[KeyPeriod, ...]]:
        for tenant, periods in value.items():
            starts = [p.starts_on for p in periods]
            if not periods or len(set(starts)) != len(starts):
                raise ValueError(f"tenant {tenant}: give one or more key periods, each starting on its own date")
        return value

    def analytics_keyring(self) -> Keyring:
        """The keys; outside production a tenant without any gets a development key (analytics/keys.py)."""
        production = self.environment == "production"
        if production and not self.analytics_keys:
            raise ValueError("set ACCORD_REPORTING_ANALYTICS_KEYS: production has no development keys")
        return Keyring(self.analytics_keys, dev_fallback=not production)

    def alliance_rules(self) -> AllianceRules:
        return AllianceRules(
            feedback_low_below=self.feedback_low_below,
            feedback_low_below_by_tenant=self.feedback_low_below_by_tenant,
            per_therapist_tenants=self.alliance_per_therapist_tenants,
        )

    def outcome_rules(self) -> OutcomeRules:
        return OutcomeRules(
            suppression_threshold=self.suppression_threshold,
            gbo_reliable_change=self.gbo_reliable_change,
            phq9_caseness=self.phq9_caseness,
            gad7_caseness=self.gad7_caseness,
            phq9_reliable_change=self.phq9_reliable_change,
            gad7_reliable_change=self.gad7_reliable_change,
            recent_progress_days=self.recent_progress_days,
        )
