"""The figures of reporting_scenario.script, worked out by hand (the reasoning is next to each event there),
checked against JSON answers: the API's in integration tests, the domain's serialised the same way in unit tests."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from reporting_scenario import Cast

OUTCOMES = {
    # name: (value, clients)
    "goals_agreed": (6, 5),  # G0a G0b G1 G3 G4 G5c; G2 was agreed before the period
    "median_days_proposal_to_agreement": (2.5, 5),  # days 5 6 3 2 1 1
    "active_goals_with_recent_progress": (0.5, 5),  # G0a G0b G5c of G0a G0b G1 G2 G4 G5c
    "milestones_reached": (6, 5),  # M0a M0b1 M1 M2b M3 M5; M2a before the period
    "gbo_mean_change": (3.8, 5),  # G0a +5, G1 +2, G2 +5, G3 +4, G5c +3
    "gbo_reliable_improvement": (0.8, 5),  # all but G1
    "reliable_improvement": (0.4, 5),  # c0 c4 of c0..c4 (c5 is not paired)
    "recovery": (0.6, 5),  # c0 c1 c4 of the five at caseness
    "reliable_recovery": (0.4, 5),  # c0 c4
}


def check_outcomes(metrics: list[dict[str, Any]]) -> None:
    found = {m["name"]: (m["value"], m["clients"], m["suppressed"]) for m in metrics}
    assert found == {name: (pytest.approx(v), c, False) for name, (v, c) in OUTCOMES.items()}


def check_suppressed(metrics: list[dict[str, Any]]) -> None:
    assert {m["name"] for m in metrics} == set(OUTCOMES)
    assert all(m["suppressed"] and m["value"] is None and m["clients"] is None for m in metrics)


def caseload_of_lead(cast: Cast, now: datetime) -> dict[Any, dict[str, Any]]:
    """The lead therapist's caseload, client -> row (before they open any report)."""
    c0, c1, c2, c3, c4, c5 = (str(c) for c in cast.clients)

    def row(active: int, last: float | None, due: list[str], unseen: int, undelivered: int, week: int) -> Any:
        return {
            "active_goals": active,
            "last_progress_at": None if last is None else now - timedelta(days=last),
            "goals_due_for_review": sorted(str(cast[g]) for g in due),
            "unseen_safety_signals": unseen,
            "undelivered_safety_alerts": undelivered,
            "milestones_reached_this_week": week,
        }

    return {
        c0: row(2, 3, ["G0b"], 1, 0, 0),
        c1: row(1, 20, ["G1"], 0, 0, 0),
        c2: row(1, 15, ["G2"], 0, 0, 0),
        c3: row(0, 21, [], 0, 0, 0),
        c4: row(1, None, [], 0, 0, 0),
        c5: row(1, 5, [], 1, 1, 1),
    }


def rows_as_expected(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Caseload items in the shape of `caseload_of_lead`."""
    return {
        item["client_id"]: {
            "active_goals": item["active_goals"],
            "last_progress_at": item["last_progress_at"] and datetime.fromisoformat(item["last_progress_at"]),
            "goals_due_for_review": sorted(item["goals_due_for_review"]),
            "unseen_safety_signals": item["unseen_safety_signals"],
            "undelivered_safety_alerts": item["undelivered_safety_alerts"],
            "milestones_reached_this_week": item["milestones_reached_this_week"],
        }
        for item in items
    }


def check_report_of_c0(cast: Cast, report: dict[str, Any], now: datetime, viewer: str) -> None:
    """c0's report as the client, their lead therapist or their relative (who sees the shared goal only)."""
    goals = {g["goal_id"]: g for g in report["goals"]}
    expected_goals = {str(cast["G0a"])} if viewer == "family" else {str(cast["G0a"]), str(cast["G0b"])}
    assert set(goals) == expected_goals
    shared = goals[str(cast["G0a"])]
    assert (shared["lifecycle_status"], shared["achievement_status"], shared["visibility"]) == (
        "active",
        "improving",
        "shared",
    )
    assert [s["event"] for s in shared["agreement_history"]] == [
        "GoalProposed",
        "GoalAgreementRecorded",
        "GoalAgreementRecorded",
        "GoalAgreed",
        "GoalVisibilityChanged",
        "GoalVisibilityChanged",
    ]
    assert {(a["person_id"], a["status"]) for a in shared["acceptance"]} == {
        (str(cast.clients[0]), "agree"),
        (str(cast.therapist), "agree"),
    }
    assert [(e["kind"], e["value"]) for e in shared["entries"]] == [("rating", 4), ("rating", 7)]
    assert [m["reached_at"] is not None for m in shared["milestones"]] == [True]
    assert shared["current_progress"]["latest_value"] == 7
    assert shared["current_progress"]["progress_fraction"] == pytest.approx(5 / 6)
    if viewer != "family":
        panic = goals[str(cast["G0b"])]
        assert panic["achievement_status"] == "improving"
        assert [e["value"] for e in panic["entries"]] == [9, 6, 5]
        assert [m["reached_at"] is not None for m in panic["milestones"]] == [True, False]
        assert panic["current_progress"]["progress_fraction"] == pytest.approx(0.625)
        assert datetime.fromisoformat(panic["current_progress"]["last_entry_at"]) == now - timedelta(days=3)
    if viewer == "therapist":
        assert goals[str(cast["G0b"])]["review_reasons"] == ["review_interval_elapsed"]
        assert [s["signal_id"] for s in report["safety_signals"]] == [str(cast["S0"])]
    else:
        assert report["safety_signals"] is None and shared["review_reasons"] is None
    if viewer == "family":
        assert report["questionnaires"] is None
    else:
        assert sorted((q["instrument"], q["total"]) for q in report["questionnaires"]) == [
            ("GAD-7", 5),
            ("GAD-7", 9),
            ("PHQ-9", 8),
            ("PHQ-9", 15),
            ("PHQ-9", 27),
        ]
