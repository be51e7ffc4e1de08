"""A browser signs in through the gateway with the development OIDC provider, each running as its own process:
the provider's page, the person's button, the session cookie, an API call that creates data in a real service,
a cross-site attempt refused, and logout back through the provider."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
import pytest

from accord.devtools.infra.demo_users import DEMO_USERS
from accord.devtools.infra.services import RunningServices

pytestmark = pytest.mark.integration
FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def sign_in(browser: httpx.Client, user: str, return_to: str) -> httpx.Response:
    started = browser.get("/auth/login", params={"return_to": return_to})
    assert started.status_code == 302, started.text
    page = browser.get(started.headers["location"])  # the provider's sign-in page, on its own origin
    assert page.status_code == 200 and f'value="{user}"' in page.text
    fields = {name: unescape(value) for name, value in FIELD.findall(page.text)}
    chosen = browser.post(str(page.url.copy_with(query=None)), data={**fields, "user": user})
    assert chosen.status_code == 302, chosen.text
    return browser.get(chosen.headers["location"])  # the gateway's callback


def test_a_therapist_signs_in_in_a_browser_opens_an_episode_and_signs_out(running: RunningServices) -> None:
    with httpx.Client(base_url=running.gateway, timeout=30) as browser:
        back = sign_in(browser, "alex", "/clients")
        assert back.status_code == 302 and back.headers["location"] == "/clients"
        session = browser.get("/auth/session").json()
        assert session["subject"] == str(DEMO_USERS["alex"].sub) and session["roles"] == ["therapist"]
        same_site = {"Origin": running.gateway, "X-CSRF-Token": session["csrf_token"]}

        body = {"client_id": str(uuid4()), "team_id": str(uuid4())}
        cross_site = browser.post("/api/v1/episodes", json=body, headers={"Origin": "https://evil.example"})
        assert cross_site.status_code == 403 and cross_site.headers["content-type"] == "application/problem+json"
        episode = browser.post("/api/v1/episodes", json=body, headers=same_site)
        assert episode.status_code == 201, episode.text
        assert browser.get(f"/api/v1/episodes/{episode.json()['episode_id']}").status_code == 200

        logout = browser.post("/auth/logout", headers=same_site)
        assert logout.status_code == 200
        assert browser.get("/auth/session").status_code == 401
        assert browser.get("/api/v1/episodes").status_code == 401
        at_provider = browser.get(logout.json()["logout_url"])
        assert at_provider.status_code == 302
        assert urlsplit(at_provider.headers["location"]).path == "/"
        assert parse_qs(urlsplit(logout.json()["logout_url"]).query)["id_token_hint"]
