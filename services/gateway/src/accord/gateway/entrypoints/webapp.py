"""The web app (web/, built to `web_dist_dir`) at `/`, on the API's origin: content-hashed files under /assets/
cached for a year, every other page answered with index.html (the app routes on the client) and never cached, so a
new release is picked up on the next visit. The service worker and the manifest are never cached either.

A file with a precompressed copy beside it (`<file>.br`, `<file>.gz`, written by the app's build) is sent as that
copy to a browser that accepts the encoding: compressed once at build time at the highest level, never per request."""

import mimetypes
from pathlib import Path
from stat import S_ISREG
from typing import Protocol
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from accord.shared.problems import problem_response

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_THE_APP = ("api/", "auth/")  # answered by the gateway's own routes; never the app's index.html
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))  # in order of preference: brotli is the smaller


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The codings an Accept-Encoding header accepts: every one named, unless its weight is q=0."""
    accepted = set()
    for item in accept_encoding.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        weight = next((p.split("=", 1)[1] for p in params if p.replace(" ", "").startswith("q=")), "1")
        try:
            if float(weight) > 0:
                accepted.add(name.lower())
        except ValueError:
            continue
    return accepted


def web_csp(login_issuer: str | None) -> str:
    """The app's policy: its own files only, no inline script or eval. form-action allows the identity provider,
    because a form that starts a sign-in is redirected there."""
    provider = ""
    if login_issuer:
        parts = urlsplit(login_issuer)
        provider = f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        f"form-action 'self'{provider}"
    )


class Page(Protocol):
    async def page(self, scope: Scope) -> Response | None: ...


class WebApp(StaticFiles):
    """`first_screen`, when given, may answer a navigation to / with the young person's Today rendered
    (first_screen.py); it returns None for the plain index.html."""

    def __init__(self, directory: Path, csp: str, first_screen: Page | None = None) -> None:
        super().__init__(directory=directory, html=False, check_dir=True)
        self.index = directory / "index.html"
        self.csp = csp
        self.first_screen = first_screen

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await self._answer(path, scope)
        response.headers.setdefault("Content-Security-Policy", self.csp)  # the rendered page brings its own
        return response

    async def _answer(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD") or path.startswith(NOT_THE_APP) or path in ("api", "auth"):
            return problem_response(404, "Not found", "No such path")
        if path in ("", ".") and self.first_screen is not None and (page := await self.first_screen.page(scope)):
            return page
        try:
            response = await self._precompressed(path, scope) or await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
        else:
            response.headers["Cache-Control"] = IMMUTABLE if path.startswith("assets/") else REVALIDATE
            response.headers["Vary"] = "Accept-Encoding"  # the same URL may be answered compressed
            return response
        # The root is a page whatever the client accepts; StaticFiles hands it over as "." (normpath of "").
        wants_page = path in ("", ".") or "text/html" in Headers(scope=scope).get("accept", "")
        if path.startswith("assets/") or not wants_page:
            return problem_response(404, "Not found", "No such file")  # a missing asset is never index.html
        return FileResponse(self.index, media_type="text/html", headers={"Cache-Control": REVALIDATE})

    async def _precompressed(self, path: str, scope: Scope) -> Response | None:
        """The file's precompressed copy in the best coding the client accepts, if the build wrote one."""
        request = Headers(scope=scope)
        accepted = accepted_encodings(request.get("accept-encoding", ""))
        for coding, suffix in PRECOMPRESSED:
            if coding not in accepted:
                continue
            full_path, stat = await anyio.to_thread.run_sync(self.lookup_path, path + suffix)
            if stat is None or not S_ISREG(stat.st_mode):
                continue
            media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            headers = {"Content-Encoding": coding, "Vary": "Accept-Encoding"}
            response = FileResponse(full_path, stat_result=stat, media_type=media_type, headers=headers)
            if self.is_not_modified(response.headers, request):
                return NotModifiedResponse(response.headers)
            return response
        return None
