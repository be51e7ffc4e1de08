"""Value types that several services' events share."""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    CLIENT = "client"
    THERAPIST = "therapist"
    FAMILY = "family"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class MeasureKind(StrEnum):
    GOAL_RATING = "goal_rating"  # Goal-Based Outcomes 0-10
    COUNT_PER_PERIOD = "count_per_period"  # e.g. panic attacks per week
    STANDARD_SCORE = "standard_score"  # e.g. GAD-7 total
    CHECKLIST = "checklist"  # action milestones ticked off


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Visibility(StrEnum):
    PRIVATE = "private"  # the client and their clinicians
    SHARED = "shared"  # also the named family members


class MilestoneKind(StrEnum):
    THRESHOLD = "threshold"
    ACTION = "action"


class Instrument(StrEnum):
    PHQ9 = "PHQ-9"
    GAD7 = "GAD-7"


# Finite and a JSON number: the same rule as accord.shared.inputs, since Measure and milestones arrive in requests.
Score = Annotated[float, Field(ge=-1000, le=1000, strict=True, allow_inf_nan=False)]


class Measure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: MeasureKind
    minimum: Score
    maximum: Score
    period_days: int | None = Field(default=None, ge=1, le=366, strict=True)
    instrument: Instrument | None = None
    unit_code: str | None = Field(default=None, max_length=40, pattern=r"^[a-z0-9_]+$")
    """A coded unit (e.g. `panic_attacks`), never the client's wording."""


class MilestoneSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    milestone_id: UUID
    position: int = Field(ge=1, le=50)
    kind: MilestoneKind
    threshold: Score | None = None


class Party(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    person_id: UUID
    role: Role
