"""What a goal says: in the client's own words, with a measure, a target and a time frame."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field, field_validator, model_validator

from accord.shared.events.contracts.common import Direction, Measure, MilestoneKind, Role, Score
from accord.shared.inputs import Integer, RequestModel, Text, date_between

MAX_TEXT = 500  # enough for a sentence or two in the client's words; longer text is refused, not cut
# A goal is due within a working lifetime of the service; a date outside this is a typing mistake or a probe.
EARLIEST_DUE, LATEST_DUE = date(2000, 1, 1), date(2100, 12, 31)


class MilestoneDraft(RequestModel):
    model_config = ConfigDict(frozen=True)

    milestone_id: UUID
    kind: MilestoneKind
    description: str = Text(MAX_TEXT, min_length=1, multiline=True)
    threshold: Score | None = None

    @model_validator(mode="after")
    def _threshold_matches_kind(self) -> "MilestoneDraft":
        if self.kind is MilestoneKind.THRESHOLD and self.threshold is None:
            raise ValueError("a threshold milestone needs a threshold")
        if self.kind is MilestoneKind.ACTION and self.threshold is not None:
            raise ValueError("an action milestone has no threshold")
        return self


class GoalContent(RequestModel):
    """One version's content. Wording stays in this service: events carry only ids and structured values."""

    model_config = ConfigDict(frozen=True)

    statement: str = Text(MAX_TEXT, min_length=1, multiline=True, description="the goal, in the client's own words")
    why_it_matters: str = Text(MAX_TEXT, multiline=True, default="")
    category_code: str = Field(max_length=40, pattern=r"^[a-z_]+$")
    measure: Measure
    baseline: Score
    target: Score
    direction: Direction
    due_date: Annotated[
        date, date_between(EARLIEST_DUE, LATEST_DUE), Field(description="between 2000-01-01 and 2100-12-31")
    ]
    review_interval_days: int = Integer(ge=1, le=366)
    confidence: int = Integer(ge=0, le=10, description="the client's confidence they can reach it, 0-10")
    expressed_by: Role
    milestones: tuple[MilestoneDraft, ...] = Field(default=(), max_length=20)
    family_party_ids: tuple[UUID, ...] = Field(
        default=(), max_length=10, description="family members this family goal involves"
    )

    @field_validator("measure")
    @classmethod
    def _a_real_scale(cls, measure: Measure) -> Measure:
        if not measure.minimum < measure.maximum:
            raise ValueError("the measure's minimum must be below its maximum")
        return measure

    @field_validator("milestones")
    @classmethod
    def _each_milestone_once(cls, milestones: tuple[MilestoneDraft, ...]) -> tuple[MilestoneDraft, ...]:
        # Progress decides "milestone reached" by id: two milestones with one id would share one decision.
        if len({m.milestone_id for m in milestones}) != len(milestones):
            raise ValueError("each milestone needs its own milestone_id")
        return milestones
