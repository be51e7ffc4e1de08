"""Early warning from the alliance: goals whose parties' answers diverge, and the young person's session feedback
low or falling. Each warning is a prompt for the clinician with a suggested next step, never a score of anyone,
and nothing here is ever sent to the family (docs/alliance.md). Pure rules, no I/O.
"""

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from accord.reporting.domain.history import ClientHistory, DivergenceChange, SessionFeedback

DEFAULT_FEEDBACK_LOW_BELOW = 6
"""An overall answer (0-10) below this is low. Not a validated cut-off (the default instrument is not a validated
one): ratings of the working alliance cluster high, so a young person rating a session under 6 is a clear prompt to
ask about it; a service can set its own per tenant."""
FEEDBACK_FALLING_DROP = 2
"""The latest overall answer this many points or more below the highest of the two before it is falling."""
FEEDBACK_WINDOW = 3


class WarningKind(StrEnum):
    GOAL_DIVERGENCE = "goal_divergence"
    FEEDBACK_LOW = "feedback_low"
    FEEDBACK_FALLING = "feedback_falling"


class SuggestedStep(StrEnum):
    REVISIT_GOAL_TOGETHER = "revisit_goal_together"
    TALK_AT_NEXT_SESSION = "talk_at_next_session"


@dataclass(frozen=True)
class EarlyWarning:
    kind: WarningKind
    suggested_step: SuggestedStep
    goal_id: UUID | None = None
    episode_id: UUID | None = None


@dataclass(frozen=True)
class AllianceRules:
    feedback_low_below: int = DEFAULT_FEEDBACK_LOW_BELOW
    feedback_low_below_by_tenant: Mapping[str, int] = field(default_factory=dict)
    per_therapist_tenants: frozenset[str] = frozenset()
    """Tenants that show per-therapist alliance figures to supervisors (for supervision); others see teams only."""

    def low_below(self, tenant_id: str) -> int:
        return self.feedback_low_below_by_tenant.get(tenant_id, self.feedback_low_below)


def _change_order(c: DivergenceChange) -> tuple[object, ...]:
    # By time, a resolution after a raise at the same instant: the facts alone decide, never their arrival.
    return (c.at, c.version, c.raised is False)


def open_divergences(changes: Iterable[DivergenceChange]) -> set[UUID]:
    """Goals whose latest divergence change is a raise."""
    latest: dict[UUID, DivergenceChange] = {}
    for c in sorted(changes, key=_change_order):
        latest[c.goal_id] = c
    return {goal for goal, c in latest.items() if c.raised}


def feedback_low(answers: list[SessionFeedback], below: int) -> bool:
    """The latest overall answer is below the tenant's line."""
    return bool(answers) and answers[-1].overall < below


def feedback_falling(answers: list[SessionFeedback]) -> bool:
    """Over the last three answers, the latest is at least two points below the highest before it. One answer
    alone cannot fall."""
    window = answers[-FEEDBACK_WINDOW:]
    if len(window) < 2:
        return False
    return max(a.overall for a in window[:-1]) - window[-1].overall >= FEEDBACK_FALLING_DROP


def in_order(feedback: Iterable[SessionFeedback]) -> list[SessionFeedback]:
    return sorted(feedback, key=lambda f: (f.at, str(f.session_id)))


def warnings(
    history: ClientHistory, episodes: Set[UUID], goals_in_play: Set[UUID], low_below: int
) -> tuple[EarlyWarning, ...]:
    """The warnings of this client's `episodes`: a divergence still open on a goal in play, and per episode the
    feedback low or falling."""
    found = [
        EarlyWarning(WarningKind.GOAL_DIVERGENCE, SuggestedStep.REVISIT_GOAL_TOGETHER, goal_id=goal)
        for goal in sorted(open_divergences(history.divergences) & goals_in_play, key=str)
    ]
    for episode in sorted(episodes, key=str):
        answers = in_order(f for f in history.feedback if f.episode_id == episode)
        if feedback_low(answers, low_below):
            found.append(EarlyWarning(WarningKind.FEEDBACK_LOW, SuggestedStep.TALK_AT_NEXT_SESSION, episode_id=episode))
        if feedback_falling(answers):
            found.append(
                EarlyWarning(WarningKind.FEEDBACK_FALLING, SuggestedStep.TALK_AT_NEXT_SESSION, episode_id=episode)
            )
    return tuple(found)
