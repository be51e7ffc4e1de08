"""The web app in Chromium against every service running behind the gateway, signing in through the development
identity provider: Playwright drives it (web/e2e-stack), with axe-core on each screen it visits. Needs the built app
(web/dist) and web/node_modules: scripts/test runs scripts/test-web first."""

from uuid import uuid4

import httpx
import pytest
from stack_browser import WEB, run_spec

from accord.devtools.infra.demo_users import DEMO_TEAM, DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.services import RunningServices
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
# The whole journey in a browser on a shared machine: beyond the suite's 5-minute default, within the 10 minutes
# given to Playwright below.
BROWSER_RUN_SECONDS = 600


@pytest.mark.timeout(BROWSER_RUN_SECONDS + 300)  # the stack's start (when this test is the first) and Playwright
def test_a_young_person_and_their_parent_use_the_web_app_in_a_browser(
    running: RunningServices, tokens: TokenFactory
) -> None:
    assert (WEB / "dist" / "index.html").is_file(), "build the app first: scripts/test-web"
    assert (WEB / "node_modules" / "@playwright" / "test").is_dir(), "install the app first: scripts/test-web"

    # Alex opens a care episode for Sam with Jo in it, as the demo data does.
    alex = tokens.bearer(DEMO_USERS["alex"].sub, ["therapist"], DEMO_TENANT)
    with httpx.Client(base_url=running.gateway, timeout=30) as http:
        body = {"episode_id": str(uuid4()), "client_id": str(DEMO_USERS["sam"].sub), "team_id": str(DEMO_TEAM)}
        episode = http.post("/api/v1/episodes", json=body, headers=alex)
        assert episode.status_code == 201, episode.text
        family = {"person_id": str(DEMO_USERS["jo"].sub), "relationship_code": "parent"}
        joined = http.post(f"/api/v1/episodes/{body['episode_id']}/participants", json=family, headers=alex)
        assert joined.status_code == 201, joined.text

    env = {
        "ACCORD_WEB_BASE_URL": running.gateway,
        "ACCORD_E2E_SAM_ID": str(DEMO_USERS["sam"].sub),
        "ACCORD_E2E_EPISODE_ID": body["episode_id"],
    }
    run_spec("journey.spec.ts", env, BROWSER_RUN_SECONDS).assert_passed()
