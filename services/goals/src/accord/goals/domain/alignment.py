"""How much a goal matters to each required party, whether it feels like the young person's own, and where the
parties' answers diverge: a prompt to talk, never a score of anyone (docs/alliance.md).

Pure rules, no I/O. A party answers as they agree (or decline) a version; the answers belong to that version.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import FeelsOwn

DEFAULT_DIVERGENCE_THRESHOLD = 4
"""Points of importance (0-10) between the highest and the lowest answer at which the parties diverge."""


class Answer(BaseModel):
    """One party's answers on one version, as stored with the goal."""

    importance: int | None = Field(default=None, ge=0, le=10)
    feels_own: FeelsOwn | None = None
    share_with_others: bool = False
    """Only the young person's answer can be withheld; every other party's is seen by the care team."""
    at: datetime


@dataclass(frozen=True)
class PartyAnswer:
    party: Role
    importance: int | None
    feels_own: FeelsOwn | None


@dataclass(frozen=True)
class Alignment:
    answers: tuple[PartyAnswer, ...]
    spread: int | None
    """Highest less lowest importance among the parties who gave one; None when fewer than two did (nothing to
    compare), or when the viewer could work a withheld answer out of it (see `seen_by`)."""
    diverges: bool
    threshold: int


def spread_of(importances: list[int]) -> int | None:
    """None below two answers: one party alone cannot diverge from anyone."""
    return max(importances) - min(importances) if len(importances) >= 2 else None


def diverges(spread: int | None, threshold: int) -> bool:
    return spread is not None and spread >= threshold


def alignment(answers: list[tuple[UUID, Role, Answer]], threshold: int) -> Alignment:
    """Every party's answers (the whole truth, for the domain's own decisions)."""
    spread = spread_of([a.importance for _, _, a in answers if a.importance is not None])
    return Alignment(
        answers=tuple(PartyAnswer(role, a.importance, a.feels_own) for _, role, a in answers),
        spread=spread,
        diverges=diverges(spread, threshold),
        threshold=threshold,
    )


def seen_by(answers: list[tuple[UUID, Role, Answer]], threshold: int, viewer: UUID, client_id: UUID) -> Alignment:
    """What `viewer` is shown. The young person always sees their own answer; anyone else only when they allowed
    it. Without it, the viewer still sees that the answers diverge (a prompt, naming no one) but not the spread:
    with the viewer's own answer, the spread would give the young person's away."""
    whole = alignment(answers, threshold)
    withheld = [
        (person, role, a)
        for person, role, a in answers
        if person == client_id and viewer != client_id and not a.share_with_others
    ]
    if not withheld:
        return whole
    shown = [entry for entry in answers if entry not in withheld]
    telling = any(a.importance is not None for _, _, a in withheld)
    return Alignment(
        answers=tuple(PartyAnswer(role, a.importance, a.feels_own) for _, role, a in shown),
        spread=None if telling else whole.spread,
        diverges=whole.diverges,
        threshold=threshold,
    )
