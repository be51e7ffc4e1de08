"""Service outcomes of one team over a date range, from the histories of its clients."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from accord.reporting.domain.goals import GoalState, Lifecycle, goal_states
from accord.reporting.domain.history import ClientHistory, Episode, Questionnaire
from accord.reporting.domain.measures import (
    Metric,
    OutcomeRules,
    gbo_reliably_improved,
    mean,
    median,
    metric,
    paired,
    share,
    talking_therapies_outcome,
)
from accord.shared.events.contracts.common import Instrument


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in UTC."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), UTC)

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class _TeamClient:
    client_id: UUID
    goals: list[GoalState]  # the goals of the team's episodes, as they stood at the end of the period
    questionnaires: list[Questionnaire]  # recorded during the team's episodes, up to the end of the period


def _team_clients(histories: Iterable[ClientHistory], team_id: UUID, period: Period) -> list[_TeamClient]:
    found = []
    for history in histories:
        episodes = [e for e in history.episodes if e.team_id == team_id]
        if not episodes:
            continue
        ids = {e.episode_id for e in episodes}
        goals = [g for g in goal_states(history, until=period.end) if g.episode_id in ids]
        scores = sorted(
            (q for q in history.questionnaires if q.at < period.end and _during(episodes, q.at)),
            key=lambda q: (q.at, str(q.response_id)),
        )
        found.append(_TeamClient(history.client_id, goals, scores))
    return found


def _during(episodes: list[Episode], at: datetime) -> bool:
    return any(e.spans(at) for e in episodes)


def service_outcomes(
    histories: Iterable[ClientHistory], team_id: UUID, period: Period, rules: OutcomeRules
) -> list[Metric]:
    clients = _team_clients(histories, team_id, period)
    return [
        *_agreement(clients, period, rules),
        _recent_progress(clients, period, rules),
        _milestones(clients, period, rules),
        *_gbo(clients, period, rules),
        *_talking_therapies(clients, period, rules),
    ]


def _agreement(clients: list[_TeamClient], period: Period, rules: OutcomeRules) -> list[Metric]:
    """Goals first agreed in the period, and the median days from their first proposal to that agreement."""
    agreed = [
        (c.client_id, g)
        for c in clients
        for g in c.goals
        if g.first_agreed_at is not None and period.contains(g.first_agreed_at)
    ]
    who = len({client for client, _ in agreed})
    days = [(g.first_agreed_at - g.proposed_at).total_seconds() / 86400 for _, g in agreed if g.first_agreed_at]
    return [
        metric("goals_agreed", "count", len(agreed), who, rules),
        metric("median_days_proposal_to_agreement", "days", median(days), who, rules),
    ]


def _recent_progress(clients: list[_TeamClient], period: Period, rules: OutcomeRules) -> Metric:
    """Of the goals active at the end of the period, the share with an entry in its last `recent_progress_days`."""
    since = period.end - timedelta(days=rules.recent_progress_days)
    active = [(c.client_id, g) for c in clients for g in c.goals if g.lifecycle is Lifecycle.ACTIVE]
    recent = [g for _, g in active if (last := g.last_entry_at()) is not None and last >= since]
    who = len({client for client, _ in active})
    return metric("active_goals_with_recent_progress", "share", share(len(recent), len(active)), who, rules)


def _milestones(clients: list[_TeamClient], period: Period, rules: OutcomeRules) -> Metric:
    reached = [
        (c.client_id, at)
        for c in clients
        for g in c.goals
        for at in g.milestones_reached.values()
        if period.contains(at)
    ]
    return metric("milestones_reached", "count", len(reached), len({client for client, _ in reached}), rules)


def _gbo(clients: list[_TeamClient], period: Period, rules: OutcomeRules) -> list[Metric]:
    """GBO change of each goal whose latest rating (up to the end of the period) falls in the period."""
    changes: list[tuple[UUID, float]] = []
    for c in clients:
        for g in c.goals:
            ratings = g.gbo_ratings()
            if len(ratings) >= 2 and period.contains(ratings[-1][0]):
                changes.append((c.client_id, ratings[-1][1] - ratings[0][1]))
    who = len({client for client, _ in changes})
    values = [change for _, change in changes]
    improved = sum(gbo_reliably_improved(v, rules) for v in values)
    return [
        metric("gbo_mean_change", "points", mean(values), who, rules),
        metric("gbo_reliable_improvement", "share", share(improved, len(values)), who, rules),
    ]


def _talking_therapies(clients: list[_TeamClient], period: Period, rules: OutcomeRules) -> list[Metric]:
    """Clients with paired PHQ-9 and/or GAD-7 scores whose last paired score falls in the period. Improvement is
    a share of them all; recovery and reliable recovery are shares of those at caseness at the start."""
    outcomes = []
    for c in clients:
        by_instrument = {i: [q for q in c.questionnaires if q.instrument == i.value] for i in Instrument}
        pairs = {i: paired([q.total for q in qs]) for i, qs in by_instrument.items()}
        ends = [qs[-1].at for i, qs in by_instrument.items() if pairs[i] is not None]
        outcome = talking_therapies_outcome(pairs[Instrument.PHQ9], pairs[Instrument.GAD7], rules)
        if outcome is not None and period.contains(max(ends)):
            outcomes.append(outcome)
    cases = [o for o in outcomes if o.caseness_at_start]
    improved = sum(o.reliable_improvement for o in outcomes)
    recovered = sum(o.recovery for o in cases)
    reliably_recovered = sum(o.reliable_recovery for o in cases)
    return [
        metric("reliable_improvement", "share", share(improved, len(outcomes)), len(outcomes), rules),
        metric("recovery", "share", share(recovered, len(cases)), len(cases), rules),
        metric("reliable_recovery", "share", share(reliably_recovered, len(cases)), len(cases), rules),
    ]
