"""The Grafana dashboard and the alert rules ask only for metrics (and labels) that Accord exposes."""

import copy
import json
from typing import Any

import pytest
import yaml

from accord.ops import consistency, render

OBSERVABILITY = render.DEPLOY / "observability"


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((OBSERVABILITY / "grafana" / "accord-overview.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((OBSERVABILITY / "prometheus" / "alerts.yaml").read_text())
    return loaded


def test_the_dashboard_shows_latency_lag_outbox_and_dead_letters(dashboard: dict[str, Any]) -> None:
    queries = " ".join(q for _, q in consistency.dashboard_queries(dashboard))
    for metric in ("accord_http_request_duration_seconds", "accord_consumer_lag", "accord_outbox_backlog",
                   "accord_dead_letters_total"):  # fmt: skip
        assert metric in queries
    assert consistency.check_queries(consistency.dashboard_queries(dashboard)) == []


def test_alerts_cover_lag_dead_letters_and_errors(rules: dict[str, Any]) -> None:
    alerts = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}
    assert any("accord_consumer_lag" in e for e in alerts.values())
    assert any("accord_dead_letters_total" in e for e in alerts.values())
    assert any('status=~"5.."' in e for e in alerts.values())
    assert consistency.check_alert_rules(rules) == []


def test_a_dashboard_asking_for_a_missing_metric_or_label_is_caught(dashboard: dict[str, Any]) -> None:
    broken = copy.deepcopy(dashboard)
    targets = [t for p in broken["panels"] for t in p.get("targets", [])]
    targets[0]["expr"] = "sum by (svc) (rate(accord_http_requests_total[5m]))"
    targets[1]["expr"] = "sum by (service, queue) (accord_consumer_lag)"
    problems = consistency.check_queries(consistency.dashboard_queries(broken))
    assert any("no metric accord_http_requests_total" in p for p in problems)
    assert any("no label queue" in p for p in problems)


def test_an_alert_without_severity_is_caught(rules: dict[str, Any]) -> None:
    broken = copy.deepcopy(rules)
    broken["groups"][0]["rules"][0]["labels"] = {}
    assert any("severity" in p for p in consistency.check_alert_rules(broken))
