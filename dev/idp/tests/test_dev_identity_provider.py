"""The development OpenID Connect provider, in process: discovery, the sign-in page, PKCE, tokens every service
accepts, refresh rotation and RP-initiated logout."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from devidp_flow import authorize, pkce_pair

from accord.devidp.app import create_app
from accord.devidp.settings import Settings
from accord.devtools.infra.demo_users import DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider
from accord.shared.auth import TokenVerifier

ISSUER = "http://127.0.0.1:9000"
CALLBACK = "http://127.0.0.1:8080/auth/callback"
SECRET = "a-development-secret-of-enough-length"


@pytest.fixture
def keys(tmp_path: Path) -> DevIdentityProvider:
    return DevIdentityProvider.load_or_create(tmp_path)


@pytest.fixture
async def idp(keys: DevIdentityProvider, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        issuer=ISSUER,
        access_token_issuer=DevIdentityProvider.issuer,
        keys_dir=tmp_path,
        client_secret=SECRET,
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=["http://127.0.0.1:8080/"],
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        yield http


def _params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "accord-gateway",
        "redirect_uri": CALLBACK,
        "scope": "openid profile offline_access",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


async def _tokens(idp: httpx.AsyncClient, user: str = "sam") -> dict[str, str]:
    verifier, challenge = pkce_pair()
    query = await authorize(idp, _params(challenge), user)
    answer = await idp.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=("accord-gateway", SECRET),
    )
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


async def test_discovery_names_every_endpoint_under_the_issuer(idp: httpx.AsyncClient) -> None:
    meta = (await idp.get("/.well-known/openid-configuration")).json()
    assert meta["issuer"] == ISSUER
    assert meta["code_challenge_methods_supported"] == ["S256"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert meta[endpoint].startswith(ISSUER + "/")


async def test_the_sign_in_page_offers_one_real_button_per_demo_person(idp: httpx.AsyncClient) -> None:
    _, challenge = pkce_pair()
    page = await idp.get("/authorize", params=_params(challenge))
    assert page.status_code == 200
    assert '<html lang="en">' in page.text and "<legend>" in page.text
    for user in DEMO_USERS.values():
        assert f'<button type="submit" name="user" value="{user.login}"' in page.text
    assert "form-action 'self' http://127.0.0.1:8080" in page.headers["content-security-policy"]


async def test_an_authorization_request_without_pkce_is_refused(idp: httpx.AsyncClient) -> None:
    params = _params("x" * 43)
    del params["code_challenge"], params["code_challenge_method"]
    answer = await idp.get("/authorize", params=params)
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["location"]


async def test_a_plain_pkce_challenge_is_refused(idp: httpx.AsyncClient) -> None:
    answer = await idp.get("/authorize", params=_params("x" * 43, code_challenge_method="plain"))
    assert "error=invalid_request" in answer.headers["location"]


async def test_an_unregistered_redirect_uri_is_never_redirected_to(idp: httpx.AsyncClient) -> None:
    _, challenge = pkce_pair()
    answer = await idp.get("/authorize", params=_params(challenge, redirect_uri="https://evil.example/cb"))
    assert answer.status_code == 400
    assert "location" not in answer.headers


async def test_signing_in_as_priya_gives_an_access_token_the_services_accept(
    idp: httpx.AsyncClient, keys: DevIdentityProvider
) -> None:
    tokens = await _tokens(idp, "priya")
    verifier = TokenVerifier(issuer=DevIdentityProvider.issuer, audience="accord", jwks=keys.jwks())
    principal = verifier.verify(tokens["access_token"])
    priya = DEMO_USERS["priya"]
    assert principal.subject == priya.sub and principal.roles == {"supervisor"}
    assert principal.teams == set(priya.teams) and principal.tenant_id == "demo-trust"
    assert jwt.get_unverified_header(tokens["access_token"])["typ"] == "at+jwt"
    id_claims = jwt.decode(tokens["id_token"], keys.rsa_key.public_key(), ["RS256"], audience="accord-gateway")
    assert id_claims["iss"] == ISSUER and id_claims["name"] == "Priya" and id_claims["nonce"] == "nonce-1"
    assert tokens["expires_in"] == 300 and tokens["refresh_token"]


async def test_a_code_redeemed_with_the_wrong_verifier_gives_no_tokens(idp: httpx.AsyncClient) -> None:
    _, challenge = pkce_pair()
    query = await authorize(idp, _params(challenge), "sam")
    answer = await idp.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
            "code_verifier": pkce_pair()[0],
        },
        auth=("accord-gateway", SECRET),
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def test_the_client_secret_may_come_in_the_form_but_a_wrong_one_is_refused(idp: httpx.AsyncClient) -> None:
    verifier, challenge = pkce_pair()
    query = await authorize(idp, _params(challenge), "sam")
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        "client_id": "accord-gateway",
    }
    wrong = await idp.post("/token", data={**form, "client_secret": "not-the-secret-at-all"})
    assert wrong.status_code == 401
    right = await idp.post("/token", data={**form, "client_secret": SECRET})
    assert right.status_code == 200 and right.json()["access_token"]


async def test_a_refresh_token_works_once_and_gives_a_new_one(idp: httpx.AsyncClient) -> None:
    tokens = await _tokens(idp)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    first = await idp.post("/token", data=form, auth=("accord-gateway", SECRET))
    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens["refresh_token"] and first.json()["access_token"]
    again = await idp.post("/token", data=form, auth=("accord-gateway", SECRET))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_logout_with_an_id_token_hint_redirects_back_and_revokes_the_refresh_token(
    idp: httpx.AsyncClient,
) -> None:
    tokens = await _tokens(idp)
    answer = await idp.get(
        "/end-session",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:8080/"},
    )
    assert answer.status_code == 302 and answer.headers["location"] == "http://127.0.0.1:8080/"
    refresh = await idp.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("accord-gateway", SECRET),
    )
    assert refresh.status_code == 400


async def test_logout_to_an_unregistered_address_does_not_redirect(idp: httpx.AsyncClient) -> None:
    tokens = await _tokens(idp)
    answer = await idp.get(
        "/end-session",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert answer.status_code == 200 and "Signed out" in answer.text


async def test_userinfo_names_the_person_of_the_access_token(idp: httpx.AsyncClient) -> None:
    tokens = await _tokens(idp, "jo")
    info = await idp.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.json() == {"sub": str(DEMO_USERS["jo"].sub), "name": "Jo", "preferred_username": "jo"}
    assert (await idp.get("/userinfo")).status_code == 401


def test_the_provider_refuses_to_start_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="never runs in production"):
        Settings(issuer=ISSUER, keys_dir=tmp_path, client_secret=SECRET, redirect_uris=[CALLBACK])
