"""Wiring of everything the browser uses: sign-in and sessions (/auth/*, the cookie-to-bearer swap), the API
reference and the web app itself. Called by bootstrap.create_api before the front door's guard is installed, so
the guard wraps all of it."""

from fastapi import FastAPI
from starlette.routing import Mount

from accord.gateway.adapters.login import LoginProvider
from accord.gateway.adapters.session_store import InProcessSessionStore, RedisSessionStore, SessionStore
from accord.gateway.entrypoints.browser import CookiePolicy, SessionCookieAuth
from accord.gateway.entrypoints.first_screen import FirstScreen
from accord.gateway.entrypoints.webapp import WebApp, web_csp
from accord.gateway.sessions import SessionPolicy, Sessions
from accord.gateway.settings import Settings


def install(app: FastAPI, s: Settings) -> None:
    app.state.web_csp = web_csp(s.login_issuer)
    app.state.cookie_policy = CookiePolicy(secure=s.session_cookie_secure)
    app.state.sessions = None
    if s.login_issuer and s.login_client_secret is not None:
        store: SessionStore = RedisSessionStore(s.redis_url) if s.redis_url else InProcessSessionStore()
        provider = LoginProvider(
            s.login_issuer,
            s.login_client_id,
            s.login_client_secret.get_secret_value(),
            s.login_scopes,
            s.public_base_url.rstrip("/") + "/auth/callback",
        )
        policy = SessionPolicy(s.session_idle_seconds, s.session_absolute_seconds, s.session_refresh_margin_seconds)
        app.state.sessions = Sessions(store, provider, app.state.token_verifier, policy)
        app.add_middleware(
            SessionCookieAuth,
            sessions=app.state.sessions,
            cookies=app.state.cookie_policy,
            public_base_url=s.public_base_url,
        )
    dist = s.web_dist_dir
    if dist is not None:
        first_screen = FirstScreen.from_dist(dist, app.state.web_csp) if app.state.sessions is not None else None
        # Last: every path not taken.
        app.router.routes.append(Mount("/", app=WebApp(dist, app.state.web_csp, first_screen)))
