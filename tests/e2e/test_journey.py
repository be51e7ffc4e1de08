"""The journey of issue 7, through the gateway only, with every service running as its own processes:
a therapist opens an episode; the client drafts a SMART goal with two milestones; both agree; the client records
progress that crosses the first milestone; the client's inbox and e-mail hold the celebration; the therapist's
caseload and the client's report show it."""

import quopri
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration


def until(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Polls `check` until it returns something truthy: the services talk through Kafka, so effects arrive soon,
    not at once."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError("the effect did not arrive in time")
        time.sleep(0.3)


class Person:
    def __init__(self, http: httpx.Client, tokens: TokenFactory, tenant: str, role: str) -> None:
        self.id, self.http = uuid4(), http
        self.headers = tokens.bearer(self.id, [role], tenant)

    def __call__(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, f"/api/v1{path}", headers={**self.headers, **kw.pop("headers", {})}, **kw)


def test_from_an_agreed_goal_to_a_celebration_and_the_clinicians_view(
    running: RunningServices, tokens: TokenFactory
) -> None:
    tenant = f"tenant-{uuid4().hex[:8]}"
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        therapist, client = Person(http, tokens, tenant, "therapist"), Person(http, tokens, tenant, "client")
        email = f"client-{uuid4().hex[:6]}@example.org"
        assert client("POST", "/notifications/contact-points", json={"email": email}).status_code == 201
        token = until(lambda: _confirmation_token(running, email))  # nothing but this link goes there until then
        confirmed = client("POST", "/notifications/email-confirmations", json={"token": token})
        assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True

        episode = therapist("POST", "/episodes", json={"client_id": str(client.id), "team_id": str(uuid4())})
        assert episode.status_code == 201, episode.text
        episode_id = episode.json()["episode_id"]

        first, second = uuid4(), uuid4()
        content = {
            "statement": "Take the bus to college on my own three days a week",
            "why_it_matters": "So I can see my friends and keep up with my course",
            "category_code": "daily_living",
            "measure": {"kind": "goal_rating", "minimum": 0, "maximum": 10},
            "baseline": 2,
            "target": 8,
            "direction": "increase",
            "due_date": (date.today() + timedelta(days=60)).isoformat(),
            "review_interval_days": 14,
            "confidence": 6,
            "expressed_by": "client",
            "milestones": [
                {"milestone_id": str(first), "kind": "threshold", "description": "Halfway", "threshold": 5},
                {"milestone_id": str(second), "kind": "threshold", "description": "Nearly", "threshold": 7},
            ],
        }
        smart = client("POST", "/goals/smart-check", json=content).json()
        assert smart["passed"] is True
        goal = client("POST", f"/episodes/{episode_id}/goals", json={"content": content})
        assert goal.status_code == 201, goal.text
        goal_id = goal.json()["goal_id"]
        assert client("POST", f"/goals/{goal_id}/proposal", json={}).status_code == 200
        for person in (client, therapist):
            agreed = person("POST", f"/goals/{goal_id}/agreements", json={"decision": "agree"})
            assert agreed.status_code == 200, agreed.text
        assert agreed.json()["status"] == "active"

        def record() -> httpx.Response | None:
            r = client(
                "POST",
                f"/progress/goals/{goal_id}/entries",
                json={
                    "entry_id": str(entry_id),
                    "kind": "rating",
                    "value": 6,
                    "occurred_at": datetime.now(UTC).isoformat(),
                },
            )
            return r if r.status_code == 201 else None  # 409 "not known yet" until the agreement reaches progress

        entry_id = uuid4()
        until(record)

        def celebration() -> list[dict[str, Any]]:
            items = client("GET", "/notifications/inbox").json()["items"]
            return [i for i in items if "celebration" in i["kind"]]

        [item] = until(celebration)
        assert "bus" not in str(item).lower()  # no goal wording leaves the goals service
        assert until(lambda: any(f"To: {email}" in m and "/goals/" in m for m in _messages(running)))

        def on_caseload() -> dict[str, Any] | None:
            page = therapist("GET", "/reporting/caseload").json()
            mine = [c for c in page["items"] if c["client_id"] == str(client.id)]
            return mine[0] if mine and mine[0]["milestones_reached_this_week"] == 1 else None

        row = until(on_caseload)
        assert row["active_goals"] == 1 and row["last_progress_at"] is not None

        def reported() -> dict[str, Any] | None:
            report = client("GET", f"/reporting/clients/{client.id}/report")
            if report.status_code != 200:
                return None
            [g] = report.json()["goals"] or [None]
            return g if g and any(m["reached_at"] for m in g["milestones"]) else None

        goal_report = until(reported)
        reached = {m["milestone_id"]: m["reached_at"] for m in goal_report["milestones"]}
        assert reached[str(first)] is not None and reached[str(second)] is None
        assert [e["value"] for e in goal_report["entries"]] == [6]
        overview = client("GET", "/me/overview").json()
        assert overview["missing"] == [] and overview["goals"][0]["goal_id"] == goal_id
        assert overview["progress"][goal_id]["latest"] == 6


def _messages(running: RunningServices) -> list[str]:
    """What the local SMTP server received (it writes every message to its log), quoted-printable decoded."""
    text = (running.logs / "mail.log").read_text(errors="replace")
    return [quopri.decodestring(m.encode()).decode(errors="replace") for m in text.split("END MESSAGE")]


def _confirmation_token(running: RunningServices, email: str) -> str | None:
    for message in _messages(running):
        found = re.search(r"/confirm-email\?token=([A-Za-z0-9_-]+)", message)
        if f"To: {email}" in message and found:
            return found.group(1)
    return None
