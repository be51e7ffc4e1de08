"""/auth/*: the browser session contract (TEAM.md, README). Sign in through the identity provider, read the
session, sign out. Not part of the public API document: these are for the web app the gateway serves."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from accord.gateway.adapters.login import LoginFailed
from accord.gateway.domain.sessions import Session
from accord.gateway.entrypoints.browser import CSRF_FORM_FIELD, CookiePolicy, cookie_value, csrf_refusal, origin_of
from accord.gateway.sessions import PENDING_LOGIN_SECONDS, SessionPolicy, Sessions
from accord.shared.problems import Problem, problem_response

router = APIRouter(prefix="/auth", include_in_schema=False)
log = structlog.get_logger("accord.gateway.sessions")


def _sessions(request: Request) -> Sessions:
    sessions: Sessions | None = request.app.state.sessions
    if sessions is None:
        raise Problem(404, "Not found", "Browser sign-in is not configured on this gateway")
    return sessions


def _cookies(request: Request) -> CookiePolicy:
    cookies: CookiePolicy = request.app.state.cookie_policy
    return cookies


@router.get("/login")
async def login(request: Request, return_to: str | None = None) -> Response:
    try:
        started = await _sessions(request).start_login(return_to)
    except LoginFailed as exc:
        log.warning("login could not start", reason=str(exc))
        return problem_response(503, "Service unavailable", "The identity provider cannot be reached just now")
    response = RedirectResponse(started.provider_url, status_code=302)
    cookies = _cookies(request)
    cookies.set(response, cookies.login_cookie, started.browser_binding, max_age=PENDING_LOGIN_SECONDS)
    return response


@router.get("/callback")
async def callback(request: Request, state: str = "", code: str = "", error: str | None = None) -> Response:
    sessions, cookies = _sessions(request), _cookies(request)
    if error is not None or not state or not code:
        answer = problem_response(400, "Bad request", "The identity provider did not sign you in", field="code")
        cookies.clear(answer, cookies.login_cookie)
        return answer
    try:
        session_id, _, return_to = await sessions.finish_login(
            state, code, cookie_value(request.headers, cookies.login_cookie)
        )
    except LoginFailed as exc:
        log.warning("login refused", reason=str(exc))
        answer = problem_response(400, "Bad request", "The sign-in could not be completed: start again", field="state")
        cookies.clear(answer, cookies.login_cookie)
        return answer
    if (earlier := cookie_value(request.headers, cookies.session_cookie)) is not None:
        await sessions.end(earlier)  # signing in again replaces the session; the old id is worthless at once
    response = RedirectResponse(return_to, status_code=302)
    cookies.clear(response, cookies.login_cookie)
    cookies.set(response, cookies.session_cookie, session_id)  # no Max-Age: gone when the browser closes
    return response


@router.get("/session")
async def session(request: Request) -> Response:
    sessions, cookies = _sessions(request), _cookies(request)
    session_id = cookie_value(request.headers, cookies.session_cookie)
    current = await sessions.current(session_id) if session_id else None
    if current is None:
        ended = problem_response(401, "Unauthorized", "There is no live session: sign in")
        if session_id is not None:
            cookies.clear(ended, cookies.session_cookie)
        return ended
    return JSONResponse(session_body(current, sessions.policy))


def session_body(current: Session, policy: SessionPolicy) -> dict[str, Any]:
    """The browser session contract's answer (TEAM.md): also embedded in the first screen (first_screen.py)."""
    return {
        "subject": current.subject,
        "roles": list(current.roles),
        "tenant_id": current.tenant_id,
        "name": current.name,
        "csrf_token": current.csrf_token,
        "expires_at": _iso(current.expires_at(policy.absolute_seconds)),
        "idle_expires_at": _iso(current.idle_expires_at(policy.idle_seconds)),
    }


FORM_POST = "application/x-www-form-urlencoded"


@router.post("/logout")
async def logout(request: Request) -> Response:
    """The app's fetch gets 200 {"logout_url"} and navigates itself; a browser's form post (the server-rendered
    Today's Sign out, without JavaScript) gets a 303 to the same URL."""
    sessions, cookies = _sessions(request), _cookies(request)
    session_id = cookie_value(request.headers, cookies.session_cookie)
    current = await sessions.current(session_id) if session_id else None
    if session_id is None or current is None:
        return problem_response(401, "Unauthorized", "There is no live session")
    public_base_url: str = request.app.state.settings.public_base_url
    is_form = request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM_POST
    form_token = await _form_token(request) if is_form else None
    refusal = csrf_refusal(request.method, request.headers, current, origin_of(public_base_url), form_token)
    if refusal is not None:
        return refusal
    try:
        logout_url = await sessions.logout(session_id, current, public_base_url.rstrip("/") + "/")
    except LoginFailed as exc:  # the gateway's session is gone anyway; the provider's page is a courtesy
        log.warning("no end-session URL", reason=str(exc))
        logout_url = "/"
    response: Response = (
        RedirectResponse(logout_url, status_code=303) if is_form else JSONResponse({"logout_url": logout_url})
    )
    cookies.clear(response, cookies.session_cookie)
    return response


async def _form_token(request: Request) -> str:
    """The form's csrf_token field ("" when absent): the body is a few dozen bytes of a form the gateway wrote."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    return fields.get(CSRF_FORM_FIELD, [""])[0]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()
