"""Secondary suppression of a team's outcome figures, so that no withheld figure can be recovered by differencing.

A figure is withheld when it is drawn from fewer clients than the threshold (primary suppression, `measures.metric`).
That alone is not enough: a supervisor may ask for any period, and the figure for March and April less the figure for
March is April's, withheld or not; so is the figure up to 10 April less the one up to 9 April. Two rules close this:

1. Outcomes are given for whole calendar months that have ended. A period is widened to the first of its first month
   and the last day of its last month; a month not yet over is left out (its figures would change from one day to
   the next, and two answers a day apart would differ by that day's clients). Any two periods then differ by whole
   months.
2. The months of a period are the cells of its table and the period's figure is their total. A total is withheld
   whenever one of its months' figures is withheld for a small number (secondary suppression of the total). The
   usual complementary suppression (withholding a second, larger month instead, so the total can stay) does not work
   here, because every single month can be asked for on its own and then is published: the hidden complement would
   be recovered from its own answer, and the withheld month from the total. Withholding the total means every
   published figure is drawn from months that are each publishable, so differences of published figures are too.

A month's figure drawn from nobody is no risk (there is no one behind it), so it does not withhold the total.
Reference: Hundepool et al., Statistical Disclosure Control (Wiley, 2012), ch. 4 (tables with hierarchies).
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from uuid import UUID

from accord.reporting.domain.history import ClientHistory
from accord.reporting.domain.measures import Metric, OutcomeRules
from accord.reporting.domain.outcomes import Period, service_outcomes


def _month_end(day: date) -> date:
    next_month = day.replace(day=28) + timedelta(days=4)
    return next_month - timedelta(days=next_month.day)


def whole_months(first: date, last: date, today: date) -> Period | None:
    """The whole calendar months from `first`'s to `last`'s, less any not over by `today`; None when none is left."""
    start = first.replace(day=1)
    end = _month_end(last)
    if end >= today:
        end = today.replace(day=1) - timedelta(days=1)  # the last day of the last month that has ended
    return Period(start, end) if start <= end else None


def months_of(period: Period) -> list[Period]:
    """The calendar months of a period made by `whole_months`, in order."""
    months, start = [], period.first_day
    while start <= period.last_day:
        end = _month_end(start)
        months.append(Period(start, end))
        start = end + timedelta(days=1)
    return months


def withhold_totals(totals: Sequence[Metric], cells: Iterable[Sequence[Metric]]) -> list[Metric]:
    """The totals, each withheld when the same figure of any cell was withheld for a small number."""
    at_risk = {m.name for figures in cells for m in figures if m.small_number}
    return [Metric(t.name, t.unit, None, None, True) if t.name in at_risk and not t.suppressed else t for t in totals]


def published_outcomes(
    histories: Sequence[ClientHistory], team_id: UUID, period: Period, rules: OutcomeRules
) -> list[Metric]:
    """A team's figures over a period of whole months (see `whole_months`), as they may be published."""
    totals = service_outcomes(histories, team_id, period, rules)
    cells = [service_outcomes(histories, team_id, month, rules) for month in months_of(period)]
    return withhold_totals(totals, cells)
