"""A team's alliance figures over a period: how quickly divergences are talked through, and the young people's
session feedback. Figures about the work, never about a person; withheld below the small-number threshold like
every outcome (measures.metric), and per therapist only where the tenant enables it for supervision.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from accord.reporting.domain.alliance import in_order
from accord.reporting.domain.history import ClientHistory, DivergenceChange, SessionFeedback
from accord.reporting.domain.measures import Metric, OutcomeRules, mean, metric, share
from accord.reporting.domain.outcomes import Period
from accord.reporting.domain.suppression import months_of, withhold_totals

SESSIONS_TO_RESOLVE = 2
"""A divergence talked through by the end of the second session after it was raised counts as resolved in time."""


@dataclass(frozen=True)
class _Raise:
    client_id: UUID
    raised: DivergenceChange
    resolved_at: datetime | None
    sessions_after: list[datetime]  # feedback of the goal's episode after the raise, in time order


def resolved_in_time(resolved_at: datetime | None, sessions_after: list[datetime], until: datetime) -> bool | None:
    """True when resolved before a third session after the raise; False once a third session passed without it;
    None while it cannot yet be told (sessions are known by the young person's feedback on them)."""
    limit = sessions_after[SESSIONS_TO_RESOLVE] if len(sessions_after) > SESSIONS_TO_RESOLVE else None
    if resolved_at is not None and resolved_at < until and (limit is None or resolved_at <= limit):
        return True
    return False if limit is not None and limit < until else None


def _raises(history: ClientHistory, episodes: set[UUID], until: datetime) -> list[_Raise]:
    changes = sorted(
        (c for c in history.divergences if c.episode_id in episodes and c.at < until), key=lambda c: (c.at, c.version)
    )
    found = []
    for i, c in enumerate(changes):
        if not c.raised:
            continue
        later = [x for x in changes[i + 1 :] if x.goal_id == c.goal_id]
        resolved = next((x.at for x in later if not x.raised), None)
        sessions = [f.at for f in in_order(history.feedback) if f.episode_id == c.episode_id and f.at > c.at]
        found.append(_Raise(history.client_id, c, resolved, sessions))
    return found


def alliance_figures(
    histories: Iterable[ClientHistory],
    episodes_of: dict[UUID, set[UUID]],
    period: Period,
    rules: OutcomeRules,
) -> list[Metric]:
    """`episodes_of`: client -> the episodes whose figures count (a team's, or one therapist's)."""
    decided: list[tuple[UUID, bool]] = []
    feedback: list[tuple[UUID, SessionFeedback]] = []
    changes: list[tuple[UUID, float]] = []
    for history in histories:
        episodes = episodes_of.get(history.client_id, set())
        for r in _raises(history, episodes, period.end):
            verdict = resolved_in_time(r.resolved_at, r.sessions_after, period.end)
            if period.contains(r.raised.at) and verdict is not None:
                decided.append((r.client_id, verdict))
        mine = [f for f in in_order(history.feedback) if f.episode_id in episodes and period.contains(f.at)]
        feedback += [(history.client_id, f) for f in mine]
        if len(mine) >= 2:
            changes.append((history.client_id, float(mine[-1].overall - mine[0].overall)))
    return [
        metric(
            "divergences_resolved_within_two_sessions",
            "share",
            share(sum(ok for _, ok in decided), len(decided)),
            len({c for c, _ in decided}),
            rules,
        ),
        metric(
            "feedback_mean_overall",
            "points",
            mean([float(f.overall) for _, f in feedback]),
            len({c for c, _ in feedback}),
            rules,
        ),
        metric("feedback_mean_change", "points", mean([v for _, v in changes]), len({c for c, _ in changes}), rules),
    ]


@dataclass(frozen=True)
class AllianceReport:
    months: list[tuple[Period, list[Metric]]]
    """The team's figures month by month: the trend over time."""
    totals: list[Metric]
    """Over the whole period; withheld wherever a month's same figure was withheld for a small number."""
    therapists: dict[UUID, list[Metric]] | None
    """Per lead therapist (totals, withheld the same way), only where the tenant enables it for supervision."""


def _team_episodes(
    histories: Iterable[ClientHistory], team_id: UUID, lead: UUID | None = None
) -> dict[UUID, set[UUID]]:
    return {
        h.client_id: {
            e.episode_id for e in h.episodes if e.team_id == team_id and (lead is None or e.lead_therapist_id == lead)
        }
        for h in histories
    }


def _published(
    histories: list[ClientHistory], episodes: dict[UUID, set[UUID]], period: Period, rules: OutcomeRules
) -> tuple[list[tuple[Period, list[Metric]]], list[Metric]]:
    months = [(m, alliance_figures(histories, episodes, m, rules)) for m in months_of(period)]
    totals = withhold_totals(alliance_figures(histories, episodes, period, rules), [figures for _, figures in months])
    return months, totals


def alliance_report(
    histories: list[ClientHistory], team_id: UUID, period: Period, rules: OutcomeRules, per_therapist: bool
) -> AllianceReport:
    months, totals = _published(histories, _team_episodes(histories, team_id), period, rules)
    therapists = None
    if per_therapist:
        leads = {e.lead_therapist_id for h in histories for e in h.episodes if e.team_id == team_id}
        therapists = {
            lead: _published(histories, _team_episodes(histories, team_id, lead), period, rules)[1]
            for lead in sorted(leads, key=str)
        }
    return AllianceReport(months, totals, therapists)
