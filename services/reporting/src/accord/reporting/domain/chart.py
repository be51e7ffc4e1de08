"""A goal's progress chart as a small SVG: values over time, target line, milestones and due date.

Only numbers, dates and fixed labels are drawn; reporting never has the goal's wording, so the chart cannot leak it.
Every piece of text still goes through XML escaping.
"""

from datetime import UTC, datetime, time, timedelta
from xml.sax.saxutils import escape, quoteattr

from accord.reporting.domain.goals import GoalState

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 24, 40
STYLE = (
    ".axis{stroke:#555}.values{fill:none;stroke:#1f6feb;stroke-width:2}.value{fill:#1f6feb}"
    ".target{stroke:#2da44e;stroke-dasharray:6 4}.due-date{stroke:#bf8700;stroke-dasharray:2 3}"
    ".milestone-threshold{stroke:#999;stroke-dasharray:1 4}.milestone-reached{fill:#8250df}"
    "text{font:11px sans-serif;fill:#333}"
)


class _Scale:
    def __init__(self, start: datetime, end: datetime, low: float, high: float) -> None:
        self.start, self.span = start, max((end - start).total_seconds(), 1.0)
        self.low, self.range = low, (high - low) or 1.0

    def x(self, at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - self.start).total_seconds() / self.span

    def y(self, value: float) -> float:
        clamped = min(max(value, self.low), self.low + self.range)
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (clamped - self.low) / self.range


def _text(x: float, y: float, label: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor={quoteattr(anchor)}>{escape(label)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line class={quoteattr(css)} x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def _frame(body: list[str], title: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><title>{escape(title)}</title><style>{STYLE}</style>'
    )
    return head + "".join(body) + "</svg>"


def _number(value: float) -> str:
    return f"{value:g}"


def goal_chart(goal: GoalState) -> str:
    current = goal.current
    if current is None:
        return _frame([_text(WIDTH / 2, HEIGHT / 2, "No agreed measure yet", "middle")], "Goal progress")
    series = goal.measure_series()
    due = datetime.combine(current.due_date, time(), UTC)
    start = min([current.agreed_at, *(at for at, _ in series)])
    end = max([due, *(at for at, _ in series), start + timedelta(days=1)])
    scale = _Scale(start, end, current.measure.minimum, current.measure.maximum)
    left, right, bottom = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM
    body = [
        _line(left, TOP, left, bottom, "axis"),
        _line(left, bottom, right, bottom, "axis"),
        _text(left - 6, scale.y(current.measure.minimum) + 4, _number(current.measure.minimum), "end"),
        _text(left - 6, scale.y(current.measure.maximum) + 4, _number(current.measure.maximum), "end"),
        _text(left, bottom + 16, start.date().isoformat()),
    ]
    for milestone in current.milestones:
        if milestone.threshold is not None:
            y = scale.y(milestone.threshold)
            body.append(_line(left, y, right, y, "milestone-threshold"))
    y_target = scale.y(current.target)
    body += [_line(left, y_target, right, y_target, "target"), _text(right, y_target - 4, "target", "end")]
    x_due = scale.x(due)
    body += [_line(x_due, TOP, x_due, bottom, "due-date"), _text(x_due, bottom + 30, f"due {due.date()}", "end")]
    if series:
        points = " ".join(f"{scale.x(at):.1f},{scale.y(v):.1f}" for at, v in series)
        body.append(f'<polyline class="values" points="{points}"/>')
        for at, v in series:
            dot = f'<circle class="value" cx="{scale.x(at):.1f}" cy="{scale.y(v):.1f}" r="3">'
            body.append(f"{dot}<title>{escape(f'{at.date()}: {_number(v)}')}</title></circle>")
    thresholds = {m.milestone_id: m.threshold for m in current.milestones}
    for milestone_id, at in sorted(goal.milestones_reached.items(), key=lambda item: item[1]):
        threshold = thresholds.get(milestone_id)
        x, y = scale.x(at), scale.y(threshold) if threshold is not None else TOP + 6
        marker = f'<path class="milestone-reached" d="M{x:.1f} {y - 6:.1f}l6 6-6 6-6-6z">'
        body.append(f"{marker}<title>{escape(f'milestone reached {at.date()}')}</title></path>")
    return _frame(body, "Goal progress: values over time, target, milestones and due date")
