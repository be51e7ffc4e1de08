"""Service outcomes as CSV: figures, their client counts and the period, never an identifier of anyone."""

import csv
import io
from collections.abc import Sequence

from accord.reporting.domain.measures import Metric
from accord.reporting.domain.outcomes import Period

HEADER = ("metric", "unit", "value", "clients", "suppressed", "period_start", "period_end")


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.4f}".rstrip("0").rstrip(".")


def outcomes_csv(metrics: Sequence[Metric], period: Period) -> str:
    """One line per figure; a suppressed figure has neither value nor client count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for m in metrics:
        start, end = period.first_day.isoformat(), period.last_day.isoformat()
        writer.writerow((m.name, m.unit, _number(m.value), _number(m.clients), str(m.suppressed).lower(), start, end))
    return out.getvalue()
