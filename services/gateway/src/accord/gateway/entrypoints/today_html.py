"""The young person's Today as HTML, for the first screen the gateway sends with the page (first_screen.py): the
same elements, classes and words as the web app's Layout and Today (web/src/components/Layout.tsx,
web/src/screens/Today.tsx, web/src/goals/GoalCard.tsx, web/src/components/Sparkline.tsx), so the app renders over
it without a jump. Every link is a real route of the app, so the screen works without JavaScript.

Every value is HTML-escaped here: names and goal statements are typed by people."""

import calendar
import re
import time
from collections.abc import Mapping
from datetime import date
from html import escape
from typing import Any
from urllib.parse import quote

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
DAY = 86_400.0
RECENT_UNMOVED = ("no-progress", "not-achieved", "worsening")


class Words:
    """One language's strings from the app's own catalogue (i18next's nested keys and {{placeholders}})."""

    def __init__(self, catalogue: Mapping[str, Any], fallback: Mapping[str, Any]) -> None:
        self.catalogue, self.fallback = catalogue, fallback

    def __call__(self, key: str, **values: object) -> str:
        """The string for `key`, its placeholders filled, HTML-escaped."""
        text = _lookup(self.catalogue, key) or _lookup(self.fallback, key) or key
        return escape(_PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text))


def _lookup(catalogue: Mapping[str, Any], key: str) -> str | None:
    node: Any = catalogue
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def number(value: float) -> str:
    """As the app's formatNumber (Intl, en-GB or cy-GB): grouped thousands, at most one decimal place."""
    text = f"{round(value, 1):,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _js(value: float) -> str:
    """A number as JavaScript writes it into an attribute: 20, not 20.0."""
    return str(int(value)) if value.is_integer() else repr(value)


def _version(goal: Mapping[str, Any]) -> Mapping[str, Any] | None:
    version = goal.get("agreed_version") or goal.get("pending_version")
    return version if isinstance(version, Mapping) else None


def _next_milestone(content: Mapping[str, Any], progress: Mapping[str, Any] | None) -> str | None:
    reached = {m.get("milestone_id") for m in (progress or {}).get("milestones") or [] if m.get("reached_at")}
    for milestone in content.get("milestones") or []:
        if milestone.get("milestone_id") not in reached:
            return str(milestone.get("description") or "")
    return None


def _invite_to_review(content: Mapping[str, Any], progress: Mapping[str, Any] | None, now: float) -> bool:
    if progress and progress.get("target_reached_at"):
        return False
    try:
        due = date.fromisoformat(str(content.get("due_date"))[:10])
        overdue = calendar.timegm(due.timetuple()) < now - DAY  # as Date.parse: the day's start, UTC
    except ValueError:
        overdue = False
    return overdue or (progress or {}).get("achievement_status") in RECENT_UNMOVED


def _sparkline(t: Words, content: Mapping[str, Any], progress: Mapping[str, Any] | None, figure_id: str) -> str:
    measure = content.get("measure") or {}
    low, high = float(measure.get("minimum") or 0), float(measure.get("maximum") or 0)
    target = content.get("target")
    series = (progress or {}).get("series") or []
    values = [float(p["value"]) for p in series if isinstance(p.get("value"), int | float)]
    width, height, span = 160, 40, (high - low) or 1.0

    def y(v: float) -> float:
        return height - 4 - ((v - low) / span) * (height - 8)

    def x(i: int) -> float:
        return width / 2 if len(values) <= 1 else 4 + (i * (width - 8)) / (len(values) - 1)

    shapes = ""
    if target is not None:
        level = _js(y(float(target)))
        shapes += f'<line x1="0" x2="{width}" y1="{level}" y2="{level}" class="sparkline-target"></line>'
    if len(values) > 1:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        shapes += f'<polyline points="{points}" class="sparkline-line"></polyline>'
    if values:
        last_x, last_y = _js(x(len(values) - 1)), _js(y(values[-1]))
        shapes += f'<circle cx="{last_x}" cy="{last_y}" r="3" class="sparkline-dot"></circle>'
    summary = (
        t("chart.empty")
        if not values
        else t(
            "chart.summary",
            count=len(values),
            first=number(values[0]),
            latest=number(values[-1]),
            target="" if target is None else number(float(target)),
        )
    )
    label = t("goal.chartLabel", goal=content.get("statement", ""))
    return (
        f'<figure class="sparkline" aria-labelledby="{figure_id}">'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true" focusable="false">'
        f"{shapes}</svg>"
        f'<figcaption id="{figure_id}"><span class="visually-hidden">{label}: </span>{summary}</figcaption></figure>'
    )


def goal_card(t: Words, goal: Mapping[str, Any], progress: Mapping[str, Any] | None, index: int, now: float) -> str:
    version = _version(goal)
    if version is None:
        return ""
    content = version.get("content") or {}
    href = "/goals/" + quote(str(goal.get("goal_id", "")), safe="")
    next_step = _next_milestone(content, progress)
    percent = (progress or {}).get("percent_to_target")
    parts = [
        f'<li class="goal-card"><h3><a href="{escape(href)}">{escape(str(content.get("statement", "")))}</a></h3>',
        f'<p class="muted">{t("goal.status.active")}</p>',
        f"<p>{t('goal.next', milestone=next_step) if next_step is not None else t('goal.allSteps')}</p>",
    ]
    if isinstance(percent, int | float):
        parts.append(f"<p>{t('goal.percent', percent=number(max(0.0, min(100.0, float(percent)))))}</p>")
    parts.append(_sparkline(t, content, progress, f"first-screen-chart-{index}"))
    if _invite_to_review(content, progress, now):
        parts.append(f'<p class="invite">{t("review.invite")}</p>')
    parts.append(f'<a class="button" href="{escape(href)}#record">{t("record.title")}</a></li>')
    return "".join(parts)


def _waiting(t: Words, goals: list[Mapping[str, Any]], me: str) -> str:
    """Active goals with a new version waiting for my agreement (the overview lists active goals only)."""
    items = []
    for goal in goals:
        pending = goal.get("pending_version") or {}
        mine = next((p for p in pending.get("parties") or [] if p.get("person_id") == me), None)
        if mine and mine.get("status") == "pending":
            version = _version(goal) or {}
            statement = str((version.get("content") or {}).get("statement", ""))
            href = escape("/goals/" + quote(str(goal.get("goal_id", "")), safe=""))
            items.append(f'<li><a href="{href}">{t("today.agree", goal=statement)}</a></li>')
    if not items:
        return ""
    return (
        f'<section aria-labelledby="waiting-title"><h2 id="waiting-title">{t("today.waiting")}</h2>'
        f'<ul class="waiting">{"".join(items)}</ul></section>'
    )


def today(t: Words, name: str, me: str, overview: Mapping[str, Any], csrf_token: str, now: float | None = None) -> str:
    """Today inside the app's Layout: what goes into index.html's <div id="root">. Sign out is a form post with the
    session's CSRF token, so it works before (or without) the app's JavaScript."""
    now = time.time() if now is None else now
    goals = [g for g in overview.get("goals") or [] if isinstance(g, Mapping) and g.get("status") == "active"]
    progress = overview.get("progress") or {}
    unread = overview.get("unread_notifications") or 0
    badge = (
        f'<span class="badge"><span aria-hidden="true">{int(unread)}</span>'
        f'<span class="visually-hidden">{t("nav.unread", count=int(unread))}</span></span>'
        if unread > 0
        else ""
    )
    if overview.get("goals") is None:
        listing = f'<p role="alert">{t("error.loadBody")}</p>'
    elif not goals:
        listing = f"<p>{t('today.noGoals')}</p>"
    else:
        cards = "".join(goal_card(t, g, progress.get(g.get("goal_id")), i, now) for i, g in enumerate(goals))
        listing = f'<ul class="goal-list">{cards}</ul>'
    partial = f'<p class="notice">{t("today.partial")}</p>' if overview.get("missing") else ""
    return (
        f'<a class="skip-link" href="#main">{t("nav.skip")}</a>'
        f'<header class="app-header"><span class="app-name">{t("app.name")}</span>'
        f'<a class="help-link" href="/help">{t("nav.help")}</a></header>'
        f'<nav class="app-nav" aria-label="{t("nav.main")}"><ul>'
        f'<li><a aria-current="page" class="active" href="/">{t("nav.today")}</a></li>'
        f'<li><a href="/checkins">{t("nav.checkin")}</a></li>'
        f'<li><a href="/inbox">{t("nav.inbox")}{badge}</a></li>'
        f'<li><a href="/settings">{t("nav.settings")}</a></li></ul></nav>'
        f'<main id="main" tabindex="-1"><article><h1>{t("today.greeting", name=name)}</h1>{partial}'
        f'<div class="quick-actions"><a class="button" href="/checkins">{t("today.checkin")}</a>'
        f'<a class="button secondary" href="/questionnaires">{t("today.questionnaires")}</a></div>'
        f"{_waiting(t, goals, me)}"
        f'<section aria-labelledby="goals-title"><h2 id="goals-title">{t("today.goals")}</h2>{listing}'
        f'<a class="button secondary" href="/goals/new">{t("today.newGoal")}</a></section></article></main>'
        f'<footer class="app-footer"><form method="post" action="/auth/logout">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        f'<button type="submit" class="link-button">{t("nav.signOut")}</button></form></footer>'
    )
