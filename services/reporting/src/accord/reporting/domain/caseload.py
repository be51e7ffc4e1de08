"""A therapist's caseload: one row per client with an open episode they lead or take part in; a team's caseload:
one row per client with an open episode in the team."""

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from accord.reporting.domain.access import Scope, clinician_episodes
from accord.reporting.domain.alliance import DEFAULT_FEEDBACK_LOW_BELOW, EarlyWarning, warnings
from accord.reporting.domain.goals import GoalState, Lifecycle, goal_states
from accord.reporting.domain.history import ClientHistory

WEEK = timedelta(days=7)
IN_PLAY = (Lifecycle.PROPOSED, Lifecycle.ACTIVE, Lifecycle.ON_HOLD)


@dataclass(frozen=True)
class CaseloadRow:
    client_id: UUID
    episode_ids: tuple[UUID, ...]
    active_goals: int
    last_progress_at: datetime | None
    goals_due_for_review: tuple[UUID, ...]
    unseen_safety_signals: int
    undelivered_safety_alerts: int
    """Unseen safety signals of which no notification has reached this therapist."""
    milestones_reached_this_week: int
    """Milestones first reached in the last seven days."""
    warnings: tuple[EarlyWarning, ...] = ()
    """Early warnings from the alliance (domain/alliance.py): prompts for the clinicians, never sent to the family."""


def caseload_row(
    history: ClientHistory,
    therapist_id: UUID,
    now: datetime,
    seen_signals: Set[UUID],
    low_below: int = DEFAULT_FEEDBACK_LOW_BELOW,
) -> CaseloadRow | None:
    """The client's row for this therapist, or None when no open episode of theirs includes the therapist.

    A safety signal counts as seen once the therapist has been shown it in the client's report.
    """
    open_ids = {e.episode_id for e in history.episodes if e.closed_at is None}
    episodes = clinician_episodes(history, therapist_id) & open_ids
    return _row(history, episodes, now, seen_signals, {therapist_id}, low_below)


def team_caseload_row(
    history: ClientHistory,
    team_id: UUID,
    now: datetime,
    seen_signals: Set[UUID],
    low_below: int = DEFAULT_FEEDBACK_LOW_BELOW,
) -> CaseloadRow | None:
    """The client's row for a supervisor of the team: their open episodes in that team, or None when there is none.

    Here a safety signal counts as seen once any clinician has been shown it, and an alert as delivered once it
    reached anyone (the supervisor reads the team's state, not their own).
    """
    episodes = {e.episode_id for e in history.episodes if e.closed_at is None and e.team_id == team_id}
    return _row(history, episodes, now, seen_signals, None, low_below)


def _row(
    history: ClientHistory,
    episodes: Set[UUID],
    now: datetime,
    seen_signals: Set[UUID],
    alerted: Set[UUID] | None,
    low_below: int,
) -> CaseloadRow | None:
    """`alerted`: whose delivered notifications count (None: anyone's)."""
    if not episodes:
        return None
    goals = [g for g in goal_states(history) if g.episode_id in episodes]
    entry_times = [at for g in goals if (at := g.last_entry_at()) is not None]
    unseen = [s for s in history.safety_signals if s.signal_id not in seen_signals]
    delivered = {
        n.source_event_id
        for n in history.notifications
        if n.delivered and (alerted is None or n.recipient_id in alerted)
    }
    return CaseloadRow(
        client_id=history.client_id,
        episode_ids=tuple(sorted(episodes, key=str)),
        active_goals=sum(g.lifecycle is Lifecycle.ACTIVE for g in goals),
        last_progress_at=max(entry_times, default=None),
        goals_due_for_review=tuple(g.goal_id for g in goals if g.review_reasons(now)),
        unseen_safety_signals=len(unseen),
        undelivered_safety_alerts=sum(s.event_id not in delivered for s in unseen),
        milestones_reached_this_week=sum(
            now - WEEK <= at <= now for g in goals for at in g.milestones_reached.values()
        ),
        warnings=warnings(history, episodes, {g.goal_id for g in goals if g.lifecycle in IN_PLAY}, low_below),
    )


class SortField(StrEnum):
    CLIENT = "client_id"
    LAST_PROGRESS = "last_progress_at"
    ACTIVE_GOALS = "active_goals"
    DUE_FOR_REVIEW = "goals_due_for_review"
    UNSEEN_SAFETY_SIGNALS = "unseen_safety_signals"
    MILESTONES_THIS_WEEK = "milestones_reached_this_week"


_SORT_VALUE: dict[SortField, Callable[[CaseloadRow], float | None]] = {
    SortField.CLIENT: lambda r: 0,
    SortField.LAST_PROGRESS: lambda r: r.last_progress_at.timestamp() if r.last_progress_at else None,
    SortField.ACTIVE_GOALS: lambda r: r.active_goals,
    SortField.DUE_FOR_REVIEW: lambda r: len(r.goals_due_for_review),
    SortField.UNSEEN_SAFETY_SIGNALS: lambda r: r.unseen_safety_signals,
    SortField.MILESTONES_THIS_WEEK: lambda r: r.milestones_reached_this_week,
}


@dataclass(frozen=True)
class Sort:
    field: SortField
    descending: bool

    @classmethod
    def parse(cls, text: str) -> "Sort":
        """`field` ascending or `-field` descending; raises ValueError for an unknown field."""
        return cls(SortField(text.removeprefix("-")), text.startswith("-"))

    def key(self, row: CaseloadRow) -> tuple[Any, ...]:
        """A total order: missing values last in either direction, then the client id."""
        value = _SORT_VALUE[self.field](row)
        if value is None:
            return (1, 0, str(row.client_id))
        return (0, -value if self.descending else value, str(row.client_id))


@dataclass(frozen=True)
class CaseloadFilter:
    with_active_goals: bool | None = None
    due_for_review: bool | None = None
    unseen_safety_signals: bool | None = None
    no_progress_days: int | None = None
    """Only clients without an entry in this many days (or none at all)."""

    def accepts(self, row: CaseloadRow, now: datetime) -> bool:
        if self.with_active_goals is not None and bool(row.active_goals) != self.with_active_goals:
            return False
        # A warning is treated like a suggested review: the clinician should talk it through.
        due = bool(row.goals_due_for_review or row.warnings)
        if self.due_for_review is not None and due != self.due_for_review:
            return False
        if self.unseen_safety_signals is not None and bool(row.unseen_safety_signals) != self.unseen_safety_signals:
            return False
        if self.no_progress_days is not None:
            quiet_since = now - timedelta(days=self.no_progress_days)
            return row.last_progress_at is None or row.last_progress_at < quiet_since
        return True


def page_of(
    rows: Sequence[CaseloadRow], sort: Sort, after: tuple[Any, ...] | None, limit: int
) -> tuple[list[CaseloadRow], tuple[Any, ...] | None]:
    """Keyset pagination: the rows ordered after the `after` key, and the key to continue from (None at the end)."""
    ordered = sorted(rows, key=sort.key)
    remaining = [r for r in ordered if after is None or sort.key(r) > after]
    page = remaining[:limit]
    return page, (sort.key(page[-1]) if len(remaining) > limit else None)


def client_warnings(
    history: ClientHistory, goals: Sequence[GoalState], scope: Scope, low_below: int
) -> tuple[EarlyWarning, ...]:
    """The early warnings a clinician sees on the client's own page: those of their caseload row for this client,
    drawn from the same rules over the episodes they are part of and the goals in play they may see."""
    episodes = scope.episode_ids if scope.episode_ids is not None else {e.episode_id for e in history.episodes}
    in_play = {g.goal_id for g in goals if g.lifecycle in IN_PLAY and scope.sees(g)}
    return warnings(history, episodes, in_play, low_below)
