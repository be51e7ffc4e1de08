"""What a goal says: in the client's own words, with a measure, a target and a time frame."""

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.shared.events.contracts.common import Direction, Measure, MilestoneKind, Role

MAX_TEXT = 500  # enough for a sentence or two in the client's words; longer text is refused, not cut


class MilestoneDraft(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone_id: UUID
    kind: MilestoneKind
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    threshold: float | None = None

    @model_validator(mode="after")
    def _threshold_matches_kind(self) -> "MilestoneDraft":
        if self.kind is MilestoneKind.THRESHOLD and self.threshold is None:
            raise ValueError("a threshold milestone needs a threshold")
        if self.kind is MilestoneKind.ACTION and self.threshold is not None:
            raise ValueError("an action milestone has no threshold")
        return self


class GoalContent(BaseModel):
    """One version's content. Wording stays in this service: events carry only ids and structured values."""

    model_config = ConfigDict(frozen=True)

    statement: str = Field(min_length=1, max_length=MAX_TEXT, description="the goal, in the client's own words")
    why_it_matters: str = Field(default="", max_length=MAX_TEXT)
    category_code: str = Field(max_length=40, pattern=r"^[a-z_]+$")
    measure: Measure
    baseline: float = Field(ge=-1000, le=1000)
    target: float = Field(ge=-1000, le=1000)
    direction: Direction
    due_date: date
    review_interval_days: int = Field(ge=1, le=366)
    confidence: int = Field(ge=0, le=10, description="the client's confidence they can reach it, 0-10")
    expressed_by: Role
    milestones: tuple[MilestoneDraft, ...] = Field(default=(), max_length=20)
    family_party_ids: tuple[UUID, ...] = Field(
        default=(), max_length=10, description="family members this family goal involves"
    )
