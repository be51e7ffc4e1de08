"""The browser's session cookie at the front door: for /api/ requests it is swapped for the session's access
token (`Authorization: Bearer`), after the CSRF checks for state-changing methods. Upstream never sees the cookie
or the CSRF header. A request with a bearer token (mobile apps) is left as it is; one with both is refused."""

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.gateway.domain.sessions import Session
from accord.gateway.sessions import Sessions
from accord.shared.problems import problem_response

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PATHS = frozenset({"/api/v1/openapi.json"})  # and /api/v1/docs...: readable by anyone, no session needed
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"  # the same token in a form post (the first screen's Sign out works without JavaScript)


@dataclass(frozen=True)
class CookiePolicy:
    """`secure` is false only for plain-http clients that keep the classic rule (Secure cookies only over https),
    such as Python's cookie jar in the end-to-end tests. With it, the cookies carry the `__Host-` prefix: the browser
    then refuses them unless Secure, Path=/ and without Domain, so no subdomain can plant or widen one. Chromium
    treats http://localhost and http://127.0.0.0/8 as trustworthy for cookies: checked with Chromium 156 (headless,
    a Set-Cookie of `__Host-x=1; Secure; Path=/` on http://127.0.0.1 and on http://localhost is stored and sent
    back), so `scripts/up` keeps the production cookie. Older Chromium refused the prefix on plain http, and Safari
    may refuse Secure there: set ACCORD_GATEWAY_SESSION_COOKIE_SECURE=false for those."""

    secure: bool

    @property
    def session_cookie(self) -> str:
        return "__Host-accord-session" if self.secure else "accord-session"

    @property
    def login_cookie(self) -> str:
        return "__Host-accord-login" if self.secure else "accord-login"

    def set(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="lax")

    def clear(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="lax")


def cookie_value(headers: Headers, name: str) -> str | None:
    """Starlette's lenient parser (as browsers send cookies), not http.cookies: one malformed cookie of another
    site script must not hide ours."""
    for header in headers.getlist("cookie"):
        if value := cookie_parser(header).get(name):
            return value
    return None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def csrf_refusal(
    method: str, headers: Headers, session: Session, public_origin: str, form_token: str | None = None
) -> Response | None:
    """None when the request may change state; otherwise the 403 answer. A cross-site page can make the browser
    send the cookie, but it cannot read the CSRF token nor forge the Origin. `form_token`: the token a same-origin
    HTML form sent in its `csrf_token` field (a page without JavaScript cannot set a header); the Origin is checked
    all the same."""
    if method not in UNSAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None:
        if origin.lower() != public_origin:
            return problem_response(403, "Forbidden", "The request does not come from this site", field="Origin")
    elif headers.get("sec-fetch-site") != "same-origin":
        return problem_response(403, "Forbidden", "The request does not say it comes from this site", field="Origin")
    sent = headers.get(CSRF_HEADER, "") if form_token is None else form_token
    if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        field = "X-CSRF-Token" if form_token is None else CSRF_FORM_FIELD
        return problem_response(403, "Forbidden", "The CSRF token is missing or wrong", field=field)
    return None


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path == "/api/v1/docs" or path.startswith("/api/v1/docs/")


class SessionCookieAuth:
    """Plain ASGI, inside the front door's guard: the guard's address limit, size limit and security headers
    apply before any session is looked up."""

    def __init__(self, app: ASGIApp, sessions: Sessions, cookies: CookiePolicy, public_base_url: str) -> None:
        self.app, self.sessions, self.cookies = app, sessions, cookies
        self.public_origin = origin_of(public_base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or _public(path):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        session_id = cookie_value(headers, self.cookies.session_cookie)
        if session_id is None:
            await self.app(scope, receive, send)  # a bearer request, or none at all: as before
            return
        if "authorization" in headers:
            refusal = problem_response(
                400, "Bad request", "Send a bearer token or the session cookie, not both", field="Authorization"
            )
            await refusal(scope, receive, send)
            return
        session = await self.sessions.current(session_id)
        if session is None:
            ended = problem_response(401, "Unauthorized", "The session has ended: sign in again")
            self.cookies.clear(ended, self.cookies.session_cookie)
            await ended(scope, receive, send)
            return
        forbidden = csrf_refusal(scope["method"], headers, session, self.public_origin)
        if forbidden is not None:
            await forbidden(scope, receive, send)
            return
        forwarded = [(k, v) for k, v in scope["headers"] if k not in (b"cookie", CSRF_HEADER.encode())]
        forwarded.append((b"authorization", f"Bearer {session.access_token}".encode()))
        await self.app({**scope, "headers": forwarded}, receive, send)
