from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, Field

from accord.shared.events import IntegrationEvent
from accord.shared.events.compat import breaking_changes, schema_of


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(BaseModel):
    threshold: float


class InnerRetyped(BaseModel):
    threshold: str


class V1(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal_id: UUID
    due: date
    colour: Colour
    inner: Inner
    tags: tuple[UUID, ...] = ()


class AddedOptional(V1):
    review_days: int | None = None


class AddedRequired(V1):
    review_days: int


class Removed(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal_id: UUID
    colour: Colour
    inner: Inner
    tags: tuple[UUID, ...] = ()


class Renamed(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal: UUID
    due: date
    colour: Colour
    inner: Inner
    tags: tuple[UUID, ...] = ()


class Retyped(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal_id: UUID
    due: int
    colour: Colour
    inner: Inner
    tags: tuple[UUID, ...] = ()


class NestedRetyped(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal_id: UUID
    due: date
    colour: Colour
    inner: InnerRetyped
    tags: tuple[UUID, ...] = ()


class OptionalBecameRequired(IntegrationEvent):
    topic: ClassVar[str] = "accord.goals.v1"
    goal_id: UUID
    due: date
    colour: Colour
    inner: Inner
    tags: tuple[UUID, ...] = Field(min_length=1)


def test_adding_an_optional_field_is_compatible() -> None:
    assert breaking_changes(schema_of(V1), schema_of(AddedOptional)) == []


def test_an_unchanged_schema_is_compatible() -> None:
    assert breaking_changes(schema_of(V1), schema_of(V1)) == []


def test_adding_a_required_field_breaks() -> None:
    assert breaking_changes(schema_of(V1), schema_of(AddedRequired)) == ["review_days: added as required"]


def test_removing_a_field_breaks() -> None:
    assert breaking_changes(schema_of(V1), schema_of(Removed)) == ["due: removed or renamed"]


def test_renaming_a_field_breaks() -> None:
    problems = breaking_changes(schema_of(V1), schema_of(Renamed))
    assert "goal_id: removed or renamed" in problems
    assert "goal: added as required" in problems


def test_retyping_a_field_breaks() -> None:
    problems = breaking_changes(schema_of(V1), schema_of(Retyped))
    assert len(problems) == 1 and problems[0].startswith("due: type changed")


def test_retyping_a_nested_field_breaks() -> None:
    problems = breaking_changes(schema_of(V1), schema_of(NestedRetyped))
    assert len(problems) == 1 and problems[0].startswith("inner.threshold: type changed")


def test_an_optional_field_becoming_required_breaks() -> None:
    assert "tags: became required" in breaking_changes(schema_of(V1), schema_of(OptionalBecameRequired))
