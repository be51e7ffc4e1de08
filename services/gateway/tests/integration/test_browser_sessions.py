"""The gateway as the web app's backend-for-frontend: sign-in through the development OIDC provider, the session
cookie, the cookie swapped for a bearer token on the way to a service, CSRF, idle and absolute limits, refresh and
logout. The provider runs on a loopback port; the services are stand-ins that record what reached them."""

import asyncio
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gateway_harness import StandIn
from gateway_login import GATEWAY, Browser, Clock, browser_gateway, dev_login, redis_server, stand_ins, use_clock

from accord.devidp.server import Provider
from accord.devtools.infra.demo_users import DEMO_USERS
from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
__all__ = ["redis_server"]  # a fixture, used below


@pytest.fixture
async def provider(tokens: TokenFactory, tmp_path: Path) -> AsyncIterator[Provider]:
    async with dev_login(tokens, tmp_path) as running:
        yield running


@pytest.fixture
def services() -> dict[str, StandIn]:
    return stand_ins()


@pytest.fixture
async def browser(
    service_env: dict[str, str], services: dict[str, StandIn], provider: Provider
) -> AsyncIterator[Browser]:
    async with browser_gateway(services, provider) as signed_out:
        yield signed_out


def _set_cookie(response: httpx.Response, name: str) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            jar.load(header)
    assert name in jar, f"no {name} cookie in {response.headers.get_list('set-cookie')}"
    return jar


async def test_signing_in_comes_back_to_return_to_with_a_host_only_secure_http_only_lax_cookie(
    browser: Browser,
) -> None:
    answer = await browser.sign_in("sam", return_to="/goals/5?tab=progress")
    assert answer.status_code == 302 and answer.headers["location"] == "/goals/5?tab=progress"
    cookie = _set_cookie(answer, "__Host-accord-session")["__Host-accord-session"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "lax" and cookie["path"] == "/"
    assert not cookie["domain"] and not cookie["max-age"]
    assert len(cookie.value) >= 43  # 256 random bits, base64url


async def test_the_session_names_the_person_with_their_roles_and_a_csrf_token(browser: Browser) -> None:
    await browser.sign_in("priya")
    session = await browser.session()
    priya = DEMO_USERS["priya"]
    assert session["subject"] == str(priya.sub) and session["roles"] == ["supervisor"]
    assert session["tenant_id"] == "demo-trust" and session["name"] == "Priya"
    assert len(session["csrf_token"]) >= 43
    assert session["expires_at"] > session["idle_expires_at"]  # 12 hours against 30 minutes
    assert "access_token" not in str(session) and "refresh" not in str(session)


async def test_without_a_session_auth_session_answers_401_problem(browser: Browser) -> None:
    answer = await browser.gateway.get("/auth/session")
    assert answer.status_code == 401 and answer.headers["content-type"] == "application/problem+json"


async def test_a_return_to_off_this_site_comes_back_to_the_start_page(browser: Browser) -> None:
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = await browser.sign_in("sam", return_to=elsewhere)
        assert answer.headers["location"] == "/"


async def test_an_api_call_with_the_cookie_reaches_the_service_as_the_persons_bearer_token_only(
    browser: Browser, services: dict[str, StandIn], tokens: TokenFactory
) -> None:
    await browser.sign_in("alex")
    answer = await browser.gateway.get("/api/v1/goals/7")
    assert answer.status_code == 200, answer.text
    [seen] = services["goals"].seen
    scheme, _, token = seen.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    from accord.shared.auth import TokenVerifier

    principal = TokenVerifier(issuer=tokens.issuer, audience="accord", jwks=tokens.jwks()).verify(token)
    assert principal.subject == DEMO_USERS["alex"].sub
    assert "Cookie" not in seen.headers and "X-CSRF-Token" not in seen.headers


async def test_a_state_changing_call_needs_the_csrf_token_and_this_sites_origin(
    browser: Browser, services: dict[str, StandIn]
) -> None:
    await browser.sign_in("sam")
    good = await browser.csrf_headers()
    refused = [
        await browser.gateway.post("/api/v1/goals", json={}, headers={**good, "Origin": "https://evil.example"}),
        await browser.gateway.post("/api/v1/goals", json={}, headers={"Origin": GATEWAY}),
        await browser.gateway.post("/api/v1/goals", json={}, headers={**good, "X-CSRF-Token": "guessed"}),
        await browser.gateway.post(
            "/api/v1/goals", json={}, headers={"X-CSRF-Token": good["X-CSRF-Token"], "Sec-Fetch-Site": "cross-site"}
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert [r.json()["field"] for r in refused] == ["Origin", "X-CSRF-Token", "X-CSRF-Token", "Origin"]
    assert services["goals"].seen == []
    same_origin_fetch = {"X-CSRF-Token": good["X-CSRF-Token"], "Sec-Fetch-Site": "same-origin"}
    assert (await browser.gateway.post("/api/v1/goals", json={}, headers=good)).status_code == 200
    assert (await browser.gateway.post("/api/v1/goals", json={}, headers=same_origin_fetch)).status_code == 200


async def test_a_request_with_both_a_bearer_token_and_the_session_cookie_is_refused(
    browser: Browser, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    await browser.sign_in("sam")
    answer = await browser.gateway.get("/api/v1/goals/1", headers=tokens.bearer(DEMO_USERS["sam"].sub, ["client"]))
    assert answer.status_code == 400 and answer.json()["field"] == "Authorization"
    assert services["goals"].seen == []


async def test_a_bearer_request_works_as_before_and_needs_no_csrf_token(
    browser: Browser, tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    bearer = tokens.bearer(DEMO_USERS["sam"].sub, ["client"])
    answer = await browser.gateway.post("/api/v1/goals", json={}, headers=bearer)
    assert answer.status_code == 200
    assert services["goals"].seen[0].headers["Authorization"] == bearer["Authorization"]


async def test_the_per_user_rate_limit_applies_to_a_signed_in_browser(
    service_env: dict[str, str], services: dict[str, StandIn], provider: Provider
) -> None:
    env = {"ACCORD_GATEWAY_USER_BURST": "2", "ACCORD_GATEWAY_USER_RATE_PER_SECOND": "0.1"}
    async with browser_gateway(services, provider, env) as browser:
        await browser.sign_in("sam")
        statuses = [(await browser.gateway.get("/api/v1/goals/1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_a_session_left_idle_past_its_limit_has_ended(browser: Browser, services: dict[str, StandIn]) -> None:
    clock = Clock()
    use_clock(browser.app, clock)
    await browser.sign_in("sam")
    clock.advance(29 * 60)
    assert (await browser.gateway.get("/api/v1/goals/1")).status_code == 200  # seen again: the idle limit restarts
    clock.advance(29 * 60)
    assert (await browser.gateway.get("/api/v1/goals/1")).status_code == 200
    clock.advance(31 * 60)
    ended = await browser.gateway.get("/api/v1/goals/1")
    assert ended.status_code == 401 and ended.headers["content-type"] == "application/problem+json"
    assert (await browser.gateway.get("/auth/session")).status_code == 401
    assert len(services["goals"].seen) == 2


async def test_a_session_in_constant_use_still_ends_at_its_absolute_lifetime(
    service_env: dict[str, str], services: dict[str, StandIn], provider: Provider
) -> None:
    env = {"ACCORD_GATEWAY_SESSION_ABSOLUTE_SECONDS": "3600", "ACCORD_GATEWAY_SESSION_REFRESH_MARGIN_SECONDS": "0"}
    async with browser_gateway(services, provider, env) as browser:
        clock = Clock()
        use_clock(browser.app, clock)
        await browser.sign_in("jo")
        statuses = []
        for _ in range(5):
            clock.advance(15 * 60)  # within the idle limit every time
            statuses.append((await browser.gateway.get("/auth/session")).status_code)
    assert statuses == [200, 200, 200, 401, 401]


async def test_an_access_token_near_its_expiry_is_refreshed_once_for_concurrent_requests(
    browser: Browser, services: dict[str, StandIn], provider: Provider
) -> None:
    clock = Clock()
    use_clock(browser.app, clock)
    await browser.sign_in("sam")
    await browser.gateway.get("/api/v1/goals/1")
    clock.advance(5 * 60)  # the provider's access tokens live 5 minutes
    answers = await asyncio.gather(*(browser.gateway.get("/api/v1/goals/1") for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    first, *after = [seen.headers["Authorization"] for seen in services["goals"].seen]
    assert len(set(after)) == 1 and after[0] != first
    assert len(provider.refresh_tokens) == 2  # the one from sign-in and the one refresh gave in its place


async def test_when_the_refresh_is_refused_the_session_ends_with_401(
    browser: Browser, services: dict[str, StandIn], provider: Provider
) -> None:
    clock = Clock()
    use_clock(browser.app, clock)
    await browser.sign_in("sam")
    for token in provider.refresh_tokens.values():
        token.revoked = True  # as when the person was signed out at the provider
    clock.advance(5 * 60)
    ended = await browser.gateway.get("/api/v1/goals/1")
    assert ended.status_code == 401
    assert (await browser.gateway.get("/auth/session")).status_code == 401
    assert services["goals"].seen == []


async def test_logout_ends_the_session_and_gives_the_providers_end_session_url(
    browser: Browser, provider: Provider
) -> None:
    await browser.sign_in("sam")
    refused = await browser.gateway.post("/auth/logout", headers={"Origin": GATEWAY})
    assert refused.status_code == 403
    answer = await browser.gateway.post("/auth/logout", headers=await browser.csrf_headers())
    assert answer.status_code == 200
    logout_url = answer.json()["logout_url"]
    target = urlsplit(logout_url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == provider.metadata()["end_session_endpoint"]
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{GATEWAY}/"] and query["id_token_hint"]
    assert (await browser.gateway.get("/auth/session")).status_code == 401
    async with httpx.AsyncClient() as at_provider:
        back = await at_provider.get(logout_url)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{GATEWAY}/")


async def test_a_sign_out_form_post_with_the_csrf_field_ends_the_session_with_a_303_to_the_end_session_url(
    browser: Browser, provider: Provider
) -> None:
    await browser.sign_in("sam")
    token = (await browser.session())["csrf_token"]
    cross_site = await browser.gateway.post(
        "/auth/logout", data={"csrf_token": token}, headers={"Origin": "https://elsewhere.test"}
    )
    assert cross_site.status_code == 403 and cross_site.json()["field"] == "Origin"
    wrong = await browser.gateway.post("/auth/logout", data={"csrf_token": "guessed"}, headers={"Origin": GATEWAY})
    assert wrong.status_code == 403 and wrong.json()["field"] == "csrf_token"
    assert (await browser.gateway.get("/auth/session")).status_code == 200
    answer = await browser.gateway.post("/auth/logout", data={"csrf_token": token}, headers={"Origin": GATEWAY})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == provider.metadata()["end_session_endpoint"]
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{GATEWAY}/"]
    assert (await browser.gateway.get("/auth/session")).status_code == 401


async def test_signing_in_again_ends_the_earlier_session(browser: Browser) -> None:
    first = (await browser.sign_in("sam")).cookies["__Host-accord-session"]
    second = (await browser.sign_in("jo")).cookies["__Host-accord-session"]
    assert first != second
    browser.gateway.cookies.set("__Host-accord-session", first, domain="gateway.test")
    assert (await browser.gateway.get("/auth/session")).status_code == 401


async def test_the_api_reference_needs_no_session_even_with_an_ended_one(browser: Browser) -> None:
    browser.gateway.cookies.set("__Host-accord-session", "ended-long-ago", domain="gateway.test")
    assert (await browser.gateway.get("/api/v1/docs")).status_code == 200
    assert (await browser.gateway.get("/api/v1/goals/1")).status_code == 401


async def test_a_callback_in_a_browser_that_did_not_start_the_login_is_refused(
    browser: Browser, service_env: dict[str, str], services: dict[str, StandIn], provider: Provider
) -> None:
    started = await browser.gateway.get("/auth/login")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    browser.gateway.cookies.clear()  # another browser: no login cookie
    answer = await browser.gateway.get("/auth/callback", params={"state": state, "code": "planted"})
    assert answer.status_code == 400 and answer.json()["field"] == "state"


async def test_no_token_or_cookie_value_reaches_the_logs(browser: Browser, capfd: pytest.CaptureFixture[str]) -> None:
    signed_in = await browser.sign_in("sam")
    await browser.gateway.get("/api/v1/goals/1")
    csrf = await browser.csrf_headers()
    await browser.gateway.post("/auth/logout", headers=csrf)
    logs = capfd.readouterr().err
    assert '"signed in"' in logs and '"signed out"' in logs and '"path": "/api/v1/goals/1"' in logs
    assert signed_in.cookies["__Host-accord-session"] not in logs and csrf["X-CSRF-Token"] not in logs
    assert "eyJ" not in logs  # no JWT of any kind: access, refresh or ID token


async def test_sessions_in_redis_are_shared_by_gateway_instances(
    service_env: dict[str, str], services: dict[str, StandIn], provider: Provider, redis_server: str
) -> None:
    env = {"ACCORD_GATEWAY_REDIS_URL": redis_server}
    async with browser_gateway(services, provider, env) as first, browser_gateway(services, provider, env) as second:
        await first.sign_in("alex")
        second.gateway.cookies = first.gateway.cookies  # the same browser, its next request on another instance
        assert (await second.gateway.get("/api/v1/goals/1")).status_code == 200
        assert (await second.session())["subject"] == str(DEMO_USERS["alex"].sub)
        await second.gateway.post("/auth/logout", headers=await second.csrf_headers())
        assert (await first.gateway.get("/auth/session")).status_code == 401


async def test_with_sessions_in_redis_concurrent_requests_still_refresh_once(
    service_env: dict[str, str], services: dict[str, StandIn], provider: Provider, redis_server: str
) -> None:
    env = {"ACCORD_GATEWAY_REDIS_URL": redis_server}
    async with browser_gateway(services, provider, env) as first, browser_gateway(services, provider, env) as second:
        clock = Clock()
        use_clock(first.app, clock)
        use_clock(second.app, clock)
        await first.sign_in("sam")
        second.gateway.cookies = first.gateway.cookies
        clock.advance(5 * 60)
        answers = await asyncio.gather(*(gw.gateway.get("/api/v1/goals/1") for gw in (first, second) * 3))
    assert [a.status_code for a in answers] == [200] * 6
    assert len({seen.headers["Authorization"] for seen in services["goals"].seen}) == 1
    assert len(provider.refresh_tokens) == 2


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ACCORD_ENVIRONMENT": "production", "ACCORD_GATEWAY_SESSION_COOKIE_SECURE": "false"}, "Secure"),
        (
            {
                "ACCORD_ENVIRONMENT": "production",
                "ACCORD_GATEWAY_LOGIN_ISSUER": "https://login.example",
                "ACCORD_GATEWAY_LOGIN_CLIENT_SECRET": "s3cret-from-the-vault",
                "ACCORD_GATEWAY_PUBLIC_BASE_URL": "http://accord.example",
            },
            "https public_base_url",
        ),
        ({"ACCORD_GATEWAY_LOGIN_ISSUER": "https://login.example"}, "login_client_secret"),
    ],
)
def test_settings_that_would_weaken_browser_sessions_are_refused(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str], complaint: str
) -> None:
    from pydantic import ValidationError

    from accord.gateway.settings import Settings

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=complaint):
        Settings()
