"""The young person's first screen inside the page itself: on a slow network (Slow 3G adds 2 s to every request) a
first screen that needs the page, then the app's code, then the data cannot be usable within 2.5 s. So when a
browser navigates to / with a live session whose Today is the young person's (the app's "client" audience), the
gateway reads the overview with the session's token and sends index.html with Today already rendered in
<div id="root">, the app's stylesheet inlined (a <link> would block rendering for another round trip) and the data
the screen was rendered from as a JSON block the app seeds its session and query cache from (web/src/firstScreen.ts).

Anything else gets the plain shell: no session, another audience, a fetch that is not a navigation (the service
worker's precache must never keep a personalised page), or data not ready within `first_screen_deadline_seconds`;
a slow service never delays the page for long and never fails it."""

import asyncio
import base64
import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from accord.gateway.adapters.upstreams import UpstreamFailed, Upstreams
from accord.gateway.domain.sessions import Session
from accord.gateway.entrypoints.auth import session_body
from accord.gateway.entrypoints.browser import CookiePolicy, cookie_value
from accord.gateway.entrypoints.overview import compose
from accord.gateway.entrypoints.today_html import Words, today
from accord.gateway.entrypoints.webapp import accepted_encodings
from accord.gateway.sessions import Sessions
from accord.gateway.settings import Settings

log = structlog.get_logger("accord.gateway.first_screen")
DATA_BLOCK_ID = "accord-first-screen"
LOCALES_FILE = "locales.json"  # the app's own catalogues, written beside index.html by its build (vite.config.ts)
_STYLESHEET = re.compile(r'<link rel="stylesheet"[^>]*href="(/assets/[^"]+\.css)"[^>]*>\s*')
_SESSION_PRELOAD = re.compile(r'<link rel="preload" href="/auth/session"[^>]*>\s*')
_NOSCRIPT = re.compile(r"<noscript>.*?</noscript>\s*", re.S)
_ROOT = '<div id="root"></div>'
# What may stand in JSON yet would end or confuse a <script> element, or an HTML parser: written as \\u escapes.
_JSON_IN_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_for_html(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JSON_IN_HTML)


def is_navigation(headers: Headers) -> bool:
    """A browser opening the page: Sec-Fetch-Mode says so where sent; without it, a request for HTML."""
    mode = headers.get("sec-fetch-mode")
    if mode is not None:
        return mode == "navigate"
    return "text/html" in headers.get("accept", "")


def language_of(locale: str | None, accept_language: str) -> str:
    """As the app chooses (web/src/i18n): the person's preferred locale, else the browser's first language; Welsh
    for "cy...", English otherwise."""
    chosen = locale or accept_language.split(",")[0].split(";")[0].strip()
    return "cy" if chosen.lower().startswith("cy") else "en"


@dataclass(frozen=True)
class Shell:
    """index.html prepared once at start-up for the rendered page: its stylesheet inlined, the session preload and
    the no-JavaScript notice taken out."""

    head_and_root: str  # everything up to <div id="root">
    after_root: str
    style_hash: str  # 'sha256-...' of the inlined stylesheet, for the page's style-src


def prepare(index_html: str, dist: Path) -> Shell | None:
    sheets = _STYLESHEET.findall(index_html)
    if len(sheets) != 1 or _ROOT not in index_html:
        return None
    css = (dist / sheets[0].lstrip("/")).read_text(encoding="utf-8")
    if "</style" in css.lower():
        return None  # it could not stand inside <style>
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    page = _STYLESHEET.sub(lambda _: f"<style>{css}</style>\n    ", index_html, count=1)
    page = _NOSCRIPT.sub("", _SESSION_PRELOAD.sub("", page))
    before, _, after = page.partition(_ROOT)
    return Shell(before, after, f"'sha256-{digest}'")


class FirstScreen:
    def __init__(self, shell: Shell, catalogues: Mapping[str, Mapping[str, Any]], csp: str) -> None:
        self.shell, self.catalogues = shell, catalogues
        self.csp = csp.replace("style-src 'self'", f"style-src 'self' {shell.style_hash}")

    @classmethod
    def from_dist(cls, dist: Path, csp: str) -> "FirstScreen | None":
        """None (the plain shell for everyone) when the build has no single stylesheet or no catalogues."""
        index, locales = dist / "index.html", dist / LOCALES_FILE
        if not index.is_file() or not locales.is_file():
            log.warning("no first screen: the web app's build has no index.html or locales.json")
            return None
        shell = prepare(index.read_text(encoding="utf-8"), dist)
        if shell is None:
            log.warning("no first screen: index.html has not exactly one stylesheet and a root element")
            return None
        return cls(shell, json.loads(locales.read_text(encoding="utf-8")), csp)

    async def page(self, scope: Scope) -> Response | None:
        """The rendered page, or None for the plain shell."""
        headers = Headers(scope=scope)
        state = scope["app"].state
        sessions: Sessions | None = state.sessions
        if sessions is None or scope["method"] != "GET" or not is_navigation(headers):
            return None
        cookies: CookiePolicy = state.cookie_policy
        session_id = cookie_value(headers, cookies.session_cookie)
        if session_id is None:
            return None
        settings: Settings = state.settings
        try:
            async with asyncio.timeout(settings.first_screen_deadline_seconds):
                found = await self._read(sessions, session_id, state, headers)
        except TimeoutError:
            log.info("first screen not ready in time: the plain shell sent")
            return None
        except (UpstreamFailed, OSError, ValueError) as exc:
            log.info("first screen not rendered: the plain shell sent", reason=type(exc).__name__)
            return None
        if found is None:
            return None
        return self._respond(*found, headers)

    async def _read(
        self, sessions: Sessions, session_id: str, state: Any, headers: Headers
    ) -> tuple[dict[str, Any], dict[str, Any], str] | None:
        session = await sessions.current(session_id)
        if session is None or "client" not in session.roles:
            return None  # another audience's first screen is not Today
        settings: Settings = state.settings
        verdict = await state.limiter.take(
            f"user:{session.subject}", settings.user_rate_per_second, settings.user_burst
        )
        if not verdict.allowed:
            return None
        upstreams: Upstreams = state.upstreams
        forwarded = {"authorization": f"Bearer {session.access_token}", "accept": "application/json"}
        if request_id := headers.get("x-request-id"):
            forwarded["x-request-id"] = request_id
        overview, preferences = await asyncio.gather(compose(upstreams, forwarded), _preferences(upstreams, forwarded))
        if overview.goals is None:
            return None  # nothing to show that the app would not show better
        language = language_of((preferences or {}).get("locale"), headers.get("accept-language", ""))
        seed = {
            "session": _session_body(session, sessions),
            "overview": overview.model_dump(mode="json"),
            "preferences": preferences,
            "language": language,
        }
        return seed, seed["overview"], language

    def _respond(self, seed: dict[str, Any], overview: dict[str, Any], language: str, headers: Headers) -> Response:
        words = Words(self.catalogues.get(language, {}), self.catalogues.get("en", {}))
        session = seed["session"]
        screen = today(words, session["name"], session["subject"], overview, session["csrf_token"])
        data = f'<script type="application/json" id="{DATA_BLOCK_ID}">{json_for_html(seed)}</script>'
        head = self.shell.head_and_root.replace('<html lang="en">', f'<html lang="{language}">', 1)
        body = f'{head}<div id="root">{screen}</div>\n    {data}{self.shell.after_root}'.encode()
        response_headers = {
            "Cache-Control": "no-store",
            "Vary": "Cookie, Accept-Encoding",
            "Content-Security-Policy": self.csp,
        }
        if "gzip" in accepted_encodings(headers.get("accept-encoding", "")):
            body = gzip.compress(body, compresslevel=6)
            response_headers["Content-Encoding"] = "gzip"
        return Response(body, media_type="text/html", headers=response_headers)


async def _preferences(upstreams: Upstreams, headers: Mapping[str, str]) -> dict[str, Any] | None:
    """The person's notification preferences (their language): None when not to be had; the page is rendered in
    the browser's language then."""
    try:
        answer = await upstreams.send("notifications", "GET", "/notifications/preferences", headers=headers)
    except UpstreamFailed:
        return None
    body = answer.json() if answer.status == 200 else None
    return body if isinstance(body, dict) else None


def _session_body(session: Session, sessions: Sessions) -> dict[str, Any]:
    return session_body(session, sessions.policy)
