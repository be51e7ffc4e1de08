"""A browser's navigation to / with the young person's session gets Today rendered into the page, its stylesheet
inlined under a hashed style-src and the data as a JSON block; everyone and everything else gets the plain shell."""

import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from gateway_harness import StandIn
from gateway_login import GATEWAY, Browser, browser_gateway, dev_login

from accord.devidp.server import Provider
from accord.devtools.infra.demo_users import DEMO_USERS
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration

NAVIGATE = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
CSS = ".goal-card { border: 1px solid #2f5d62; }\n"
SHELL = """<!doctype html>
<html lang="en">
  <head>
    <title>Accord</title>
    <link rel="preload" href="/auth/session" as="fetch" crossorigin="use-credentials" />
    <script type="module" crossorigin src="/assets/index-1a2b.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index-3c4d.css">
  </head>
  <body>
    <div id="root"></div>
    <noscript>Accord needs JavaScript.</noscript>
  </body>
</html>"""
LOCALES = {
    "en": {
        "app": {"name": "Accord"},
        "today": {"greeting": "Hi {{name}}", "goals": "Your goals", "newGoal": "Write a new goal"},
        "record": {"title": "Record progress"},
        "goal": {"status": {"active": "Active"}, "next": "Next step: {{milestone}}"},
    },
    "cy": {"today": {"greeting": "Shwmae {{name}}"}, "record": {"title": "Cofnodi cynnydd"}},
}
TITLE = "Walk <script>alert(1)</script> & \"talk\" 'daily'"
GOAL = {
    "goal_id": "9d0c7a2e-0000-4000-8000-000000000001",
    "episode_id": "e1",
    "status": "active",
    "agreed_version": {
        "content": {
            "statement": TITLE,
            "milestones": [{"milestone_id": "m1", "description": "Round the park"}],
            "measure": {"minimum": 0, "maximum": 10},
            "target": 8,
            "due_date": "2999-01-01",
        }
    },
    "pending_version": None,
}


class Services(StandIn):
    """Goals, progress and notifications answering as the real services do, for one active goal."""

    def __init__(self, name: str, delay: float = 0, status: int = 200, locale: str = "en-GB") -> None:
        super().__init__(name, delay=delay)
        self.status, self.locale = status, locale

    async def answer(self, request: web.Request) -> web.StreamResponse:
        await super().answer(request)  # records it, and waits `delay`
        if self.status != 200:
            return web.json_response({"title": "down", "status": self.status}, status=self.status)
        bodies: dict[str, Any] = {
            "/episodes": {"items": [{"episode_id": "e1"}], "next_cursor": None},
            "/episodes/e1/goals": {"items": [GOAL], "next_cursor": None},
            f"/progress/goals/{GOAL['goal_id']}": {"goal_id": GOAL["goal_id"], "series": [{"value": 3}]},
            "/notifications/inbox/unread-count": {"unread": 0},
            "/notifications/preferences": {"locale": self.locale, "time_zone": "Europe/London", "channels": []},
        }
        return web.json_response(bodies.get(request.path, {}))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(SHELL)
    (built / "assets" / "index-3c4d.css").write_text(CSS)
    (built / "locales.json").write_text(json.dumps(LOCALES))
    return built


@pytest.fixture
async def provider(tokens: TokenFactory, tmp_path: Path) -> AsyncIterator[Provider]:
    async with dev_login(tokens, tmp_path / "keys") as running:
        yield running


@asynccontextmanager
async def _gateway(
    provider: Provider, dist: Path, **services: Services
) -> AsyncIterator[tuple[Browser, dict[str, Services]]]:
    standing = {name: services.get(name, Services(name)) for name in ("goals", "progress", "notifications")}
    standing["reporting"] = Services("reporting")
    env = {"ACCORD_GATEWAY_WEB_DIST_DIR": str(dist), "ACCORD_GATEWAY_FIRST_SCREEN_DEADLINE_SECONDS": "0.5"}
    async with browser_gateway(standing, provider, env) as browser:
        yield browser, standing


@pytest.fixture
async def browser(service_env: dict[str, str], provider: Provider, dist: Path) -> AsyncIterator[Browser]:
    async with _gateway(provider, dist) as (browser, _):
        yield browser


def _data_block(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="accord-first-screen">(.*?)</script>', html, re.S)
    assert found, html
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_a_navigation_with_the_young_persons_session_gets_today_rendered_into_the_page(browser: Browser) -> None:
    await browser.sign_in("sam")
    page = await browser.gateway.get("/", headers=NAVIGATE)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    root = page.text.split('<div id="root">', 1)[1]
    assert "<h1>Hi Sam</h1>" in root
    assert 'href="/goals/9d0c7a2e-0000-4000-8000-000000000001#record">Record progress</a>' in root
    assert "Next step: Round the park" in root
    seed = _data_block(page.text)
    assert seed["session"]["name"] == "Sam" and seed["session"]["csrf_token"] == (await browser.session())["csrf_token"]
    assert seed["overview"]["goals"][0]["goal_id"] == GOAL["goal_id"] and seed["language"] == "en"
    # The session is in the page: the app's preload of /auth/session would only ask again.
    assert "/auth/session" not in page.text and "<noscript>" not in page.text


async def test_the_rendered_sign_out_is_a_form_post_with_the_csrf_token_that_ends_the_session(
    browser: Browser, provider: Provider
) -> None:
    await browser.sign_in("sam")
    page = await browser.gateway.get("/", headers=NAVIGATE)
    form = re.search(r'<form method="post" action="/auth/logout">(.*?)</form>', page.text, re.S)
    assert form, page.text
    token = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', form.group(1))
    assert token and token.group(1) == (await browser.session())["csrf_token"]
    assert '<button type="submit" class="link-button">' in form.group(1)
    # What the browser sends when the form is submitted without JavaScript.
    signed_out = await browser.gateway.post(
        "/auth/logout", data={"csrf_token": token.group(1)}, headers={"Origin": GATEWAY}
    )
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith(provider.metadata()["end_session_endpoint"])
    assert (await browser.gateway.get("/auth/session")).status_code == 401


async def test_the_personalised_page_is_never_stored_and_varies_with_the_cookie(browser: Browser) -> None:
    await browser.sign_in("sam")
    page = await browser.gateway.get("/", headers={**NAVIGATE, "Accept-Encoding": "gzip"})
    assert page.headers["cache-control"] == "no-store"
    assert "Cookie" in page.headers["vary"] and page.headers["content-encoding"] == "gzip"
    assert "Hi Sam" in page.text  # httpx decoded it


async def test_the_stylesheet_is_inlined_and_its_hash_is_the_only_inline_style_the_policy_allows(
    browser: Browser,
) -> None:
    await browser.sign_in("sam")
    page = await browser.gateway.get("/", headers=NAVIGATE)
    inlined = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert inlined and inlined.group(1) == CSS and 'rel="stylesheet"' not in page.text
    digest = base64.b64encode(hashlib.sha256(inlined.group(1).encode()).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy and "script-src 'self';" in policy


async def test_names_and_goal_titles_are_escaped_in_the_markup_and_the_data_block(
    service_env: dict[str, str], provider: Provider, dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "Sam </script><script>alert('x')</script> \"Q\""
    monkeypatch.setitem(DEMO_USERS, "sam", replace(DEMO_USERS["sam"], name=name))
    async with _gateway(provider, dist) as (browser, _services):
        await browser.sign_in("sam")
        page = (await browser.gateway.get("/", headers=NAVIGATE)).text
        assert page.count("<script") == 2  # the app's module and the data block, nothing typed by a person
        assert "<h1>Hi Sam &lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;Q&quot;</h1>" in page
        assert "Walk &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;talk&quot; &#x27;daily&#x27;" in page
        seed = _data_block(page)  # "<" written as \\u003c: the block cannot be ended from inside
        assert (
            seed["session"]["name"] == name
            and seed["overview"]["goals"][0]["agreed_version"]["content"]["statement"] == TITLE
        )


async def test_the_page_is_in_welsh_when_the_persons_preference_is_welsh(
    service_env: dict[str, str], provider: Provider, dist: Path
) -> None:
    async with _gateway(provider, dist, notifications=Services("notifications", locale="cy-GB")) as (
        browser,
        _services,
    ):
        await browser.sign_in("sam")
        page = (await browser.gateway.get("/", headers=NAVIGATE)).text
        assert '<html lang="cy">' in page and "<h1>Shwmae Sam</h1>" in page and ">Cofnodi cynnydd</a>" in page
        assert "Your goals" in page  # a string the Welsh catalogue lacks falls back to English, as in the app


async def test_without_a_session_the_page_is_the_plain_shell(browser: Browser) -> None:
    page = await browser.gateway.get("/", headers=NAVIGATE)
    assert page.text == SHELL and page.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("user", ["alex", "jo"])
async def test_a_clinician_or_family_session_gets_the_plain_shell(browser: Browser, user: str) -> None:
    await browser.sign_in(user)
    page = await browser.gateway.get("/", headers=NAVIGATE)
    assert page.text == SHELL and "style-src 'self';" in page.headers["content-security-policy"]


async def test_a_fetch_that_is_not_a_navigation_gets_the_plain_shell_so_no_cache_keeps_a_personal_page(
    browser: Browser,
) -> None:
    await browser.sign_in("sam")
    for headers in (
        {"Accept": "*/*", "Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Dest": "empty"},  # the service worker's precache
        {"Accept": "text/html", "Sec-Fetch-Mode": "cors"},
    ):
        page = await browser.gateway.get("/", headers=headers)
        assert page.text == SHELL, headers
    assert (await browser.gateway.get("/index.html", headers=NAVIGATE)).text == SHELL


async def test_when_the_services_are_slower_than_the_deadline_the_plain_shell_is_sent_at_once(
    service_env: dict[str, str], provider: Provider, dist: Path
) -> None:
    async with _gateway(provider, dist, goals=Services("goals", delay=3)) as (browser, _services):
        await browser.sign_in("sam")
        page = await browser.gateway.get("/", headers=NAVIGATE)
        assert page.status_code == 200 and page.text == SHELL


async def test_when_the_goals_cannot_be_read_the_plain_shell_is_sent(
    service_env: dict[str, str], provider: Provider, dist: Path
) -> None:
    async with _gateway(provider, dist, goals=Services("goals", status=503)) as (browser, _services):
        await browser.sign_in("sam")
        page = await browser.gateway.get("/", headers=NAVIGATE)
        assert page.status_code == 200 and page.text == SHELL


async def test_the_services_are_asked_with_the_persons_own_token_and_goal_titles_are_not_logged(
    service_env: dict[str, str], provider: Provider, dist: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    async with _gateway(provider, dist) as (browser, services):
        await browser.sign_in("sam")
        await browser.gateway.get("/", headers=NAVIGATE)
        [episodes, *_] = services["goals"].seen
        assert episodes.path == "/episodes" and episodes.headers["Authorization"].startswith("Bearer ")
    logged = capfd.readouterr()
    assert "Walk" not in logged.out + logged.err
