"""Sam's first screen comes rendered in the page from the gateway: in Chromium with JavaScript off he sees his Today
and a working "Record progress" link; with it on, the app takes over without asking for the overview again.
Playwright drives web/e2e-stack/first-screen.spec.ts against every service behind the gateway and the development
identity provider. Needs the built app (web/dist) and web/node_modules: scripts/test runs scripts/test-web first."""

from datetime import date, timedelta
from uuid import uuid4

import httpx
import pytest
from stack_browser import WEB, run_spec

from accord.devtools.infra.demo_users import DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
BROWSER_RUN_SECONDS = 300
SPEC = "first-screen.spec.ts"  # this spec only: e2e-stack holds others, each started by its own test
# Named test_web_first_screen_* to run after test_web_app_in_a_browser.py, whose journey gives Sam his first episode.
# Typed by a person: markup and quotes must come through as text, in the page and in its data block.
TITLE = "Walk the dog <b>every</b> \"single\" day & say 'hi' </script>"


def _agreed_goal(gateway: str, tokens: TokenFactory) -> tuple[str, str]:
    """An episode for Sam with one goal that Sam and Alex have agreed: active, on his Today. (episode id, goal id)"""
    sam = tokens.bearer(DEMO_USERS["sam"].sub, ["client"], DEMO_TENANT)
    alex = tokens.bearer(DEMO_USERS["alex"].sub, ["therapist"], DEMO_TENANT)
    with httpx.Client(base_url=f"{gateway}/api/v1", timeout=30) as http:
        episode = {"client_id": str(DEMO_USERS["sam"].sub), "team_id": str(DEMO_TEAM)}
        opened = http.post("/episodes", json=episode, headers=alex)
        assert opened.status_code == 201, opened.text
        content = {
            "statement": TITLE,
            "why_it_matters": "She needs it and so do I",
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
                {"milestone_id": str(uuid4()), "kind": "threshold", "description": "Halfway", "threshold": 5}
            ],
        }
        goal = http.post(f"/episodes/{opened.json()['episode_id']}/goals", json={"content": content}, headers=sam)
        assert goal.status_code == 201, goal.text
        goal_id: str = goal.json()["goal_id"]
        assert http.post(f"/goals/{goal_id}/proposal", json={}, headers=sam).status_code == 200
        for person in (sam, alex):
            agreed = http.post(f"/goals/{goal_id}/agreements", json={"decision": "agree"}, headers=person)
            assert agreed.status_code == 200, agreed.text
        assert agreed.json()["status"] == "active"
    return opened.json()["episode_id"], goal_id


def _close(gateway: str, tokens: TokenFactory, episode_id: str) -> None:
    """The session's services are shared: the other browser journeys expect Sam's episode of their own to be his only
    open one (a second makes the questionnaire ask which episode, and Today list other goals)."""
    alex = tokens.bearer(DEMO_USERS["alex"].sub, ["therapist"], DEMO_TENANT)
    closing = httpx.post(f"{gateway}/api/v1/episodes/{episode_id}/close", headers=alex, timeout=30)
    assert closing.status_code == 200, closing.text


@pytest.mark.timeout(BROWSER_RUN_SECONDS + 300)  # the stack's start (when this test is the first) and Playwright
def test_sams_first_screen_works_without_javascript_and_the_app_takes_it_over_without_refetching(
    running: RunningServices, tokens: TokenFactory
) -> None:
    assert (WEB / "dist" / "locales.json").is_file(), "build the app first: scripts/test-web"
    assert (WEB / "node_modules" / "@playwright" / "test").is_dir(), "install the app first: scripts/test-web"
    episode_id, goal_id = _agreed_goal(running.gateway, tokens)
    env = {"ACCORD_WEB_BASE_URL": running.gateway, "ACCORD_E2E_GOAL_ID": goal_id, "ACCORD_E2E_GOAL_TITLE": TITLE}
    try:
        finished = run_spec(SPEC, env, BROWSER_RUN_SECONDS)
    finally:
        _close(running.gateway, tokens, episode_id)
    finished.assert_passed()
