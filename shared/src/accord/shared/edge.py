"""The outermost layer of every app (each service and the gateway), wrapped around Starlette's ServerErrorMiddleware
so that every answer passes it, a crash's 500 included.

Before the app sees a request: at most MAX_HEADERS headers of MAX_HEADER_BYTES in all (431), no security-relevant
header twice (400; a proxy and the service behind it could each read a different one), a canonical path (400: no
dot segment, encoded slash or backslash, so that what is routed is what the service behind resolves), a body within
`max_body_bytes` (413, by Content-Length or as it streams in), and a request id that is safe to log and pass on.
On every answer: the security headers and the request id; an exception that escapes everything becomes a
problem+json 500. Behind any server, so it holds whatever the server itself allows.
"""

import re
import uuid
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.shared.problems import problem_response

log = structlog.get_logger("accord.http")

MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_REQUEST_ID_BYTES = re.compile(REQUEST_ID.pattern.encode())
# Headers that decide who the caller is, what they may do or how the body is read: a second copy is refused.
UNIQUE_HEADERS = frozenset(
    {
        b"authorization",
        b"cookie",
        b"host",
        b"content-length",
        b"content-type",
        b"x-csrf-token",
        b"x-request-id",
        b"x-forwarded-for",
        b"idempotency-key",
        b"if-match",
        b"if-none-match",
    }
)
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",  # health data must not linger in shared caches
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The interactive docs (development only) load their scripts from a CDN, which the policy above would block.
_DOCS = ("/docs", "/redoc")


def accepted_request_id(headers: Headers) -> str:
    """The caller's X-Request-ID when it is safe to log and pass on; a fresh one otherwise."""
    return _accepted(headers.get("x-request-id", "").encode("latin-1") or None)


def _accepted(given: bytes | None) -> str:
    """accepted_request_id, from the header's raw value (the Edge reads the headers raw, once)."""
    if given is not None and _REQUEST_ID_BYTES.fullmatch(given):
        return given.decode("ascii")
    return str(uuid.uuid4())


def header_problem(headers: list[tuple[bytes, bytes]]) -> tuple[int, str, str, str | None] | None:
    """(status, title, detail, offending header) when the headers are refused; None when they pass."""
    return _scanned(headers)[0]


_Refusal = tuple[int, str, str, str | None]


def _scanned(headers: list[tuple[bytes, bytes]]) -> tuple[_Refusal | None, bytes | None, bytes | None]:
    """One pass over the request's headers, on every request: the refusal they earn (None when they pass), and the
    first X-Request-ID and Content-Length sent (None when absent)."""
    if len(headers) > MAX_HEADERS:
        return (431, "Request header fields too large", f"Send at most {MAX_HEADERS} headers", None), None, None
    size = 0
    seen: set[bytes] = set()
    request_id = length = None
    for name, value in headers:
        size += len(name) + len(value)
        name = name.lower()  # ASGI servers send them lowercased; the Edge holds behind any server
        if name in UNIQUE_HEADERS:
            if name in seen:
                return (400, "Duplicated header", "This header may be sent once", name.decode()), None, None
            seen.add(name)
            if name == b"x-request-id":
                request_id = value
            elif name == b"content-length":
                length = value
    if size > MAX_HEADER_BYTES:
        detail = f"Send at most {MAX_HEADER_BYTES} bytes of headers"
        return (431, "Request header fields too large", detail, None), None, None
    return None, request_id, length


def path_problem(raw_path: bytes) -> str | None:
    """Why the path is not canonical, or None when it is."""
    lowered = raw_path.lower()
    if b"\\" in lowered or b"%5c" in lowered:
        return "A path may not hold a backslash"
    if b"%2f" in lowered:
        return "A path may not hold an encoded slash"
    if any(segment in (b".", b"..") for segment in unquote_to_bytes(raw_path).split(b"/")):
        return "A path may not hold . or .. segments"
    return None


class BodyTooLarge(Exception):
    """Raised into the app when the streamed body passes the limit; the Edge answers 413."""


class Edge:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        header_refusal, given_id, length = _scanned(raw_headers)
        # A duplicated X-Request-ID is refused below; the refusal still carries the first one when it is plain.
        if header_refusal is not None and given_id is None:
            given_id = Headers(raw=raw_headers).get("x-request-id", "").encode("latin-1")
        request_id = _accepted(given_id)
        # Everything inside sees only the accepted id: the logs, and the requests the gateway passes on.
        if given_id is None or request_id.encode("latin-1") != given_id:
            kept = (
                [(k, v) for k, v in raw_headers if k.lower() != b"x-request-id"]
                if given_id is not None
                else raw_headers
            )
            scope["headers"] = [*kept, (b"x-request-id", request_id.encode())]
        secured = _security_headers(scope["path"])
        started, refused = False, False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the app's own answer to a request refused mid-body is replaced by the refusal
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in secured if k not in present),
                    *([] if b"x-request-id" in present else [(b"x-request-id", request_id.encode())]),
                ]
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    refused = True
                    raise BodyTooLarge
            return message

        async def answer(status: int, title: str, detail: str, field: str | None = None) -> None:
            nonlocal refused
            refused = False
            named = problem_response(status, title, detail, field=field) if field else None
            await (named or problem_response(status, title, detail))(scope, receive, send_secured)

        # bind and reset by token, not bound_contextvars: that one copies the whole context on the way in to learn
        # what to restore, a noticeable share of a proxied request; the token restores exactly what was there.
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            refusal = self._refusal(scope, header_refusal, length)
            if refusal is not None:
                status, title, detail, field = refusal
                await answer(status, title, detail, field)
                return
            try:
                await self.app(scope, receive_limited, send_secured)
            except Exception:
                if refused:
                    # An answer already begun (an event stream reading a body after it started) cannot be
                    # replaced: it ends where the body was cut off.
                    if not started:
                        await answer(413, "Request too large", f"Send at most {self.max_body_bytes} bytes")
                    return
                log.exception("unhandled error", method=scope["method"])
                if not started:
                    await answer(500, "Internal error", "Something went wrong on our side")
            else:
                if refused and not started:  # the app answered the refusal its own way (FastAPI: 400), never sent
                    await answer(413, "Request too large", f"Send at most {self.max_body_bytes} bytes")
        finally:
            structlog.contextvars.reset_contextvars(**bound)

    def _refusal(self, scope: Scope, header_refusal: _Refusal | None, length: bytes | None) -> _Refusal | None:
        if header_refusal is not None:
            return header_refusal
        why = path_problem(scope.get("raw_path") or scope["path"].encode())
        if why is not None:
            return 400, "Path not accepted", why, "path"
        if length is not None and not length.isdigit():
            return 400, "Invalid Content-Length", "Content-Length must be a number of bytes", "content-length"
        if length is not None and int(length) > self.max_body_bytes:
            return 413, "Request too large", f"Send at most {self.max_body_bytes} bytes", None
        return None


# Encoded once: building them for every answer was a measurable share of the Edge's own time.
_SECURED = tuple((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
_SECURED_DOCS = tuple((k, v) for k, v in _SECURED if k != b"content-security-policy")


def _security_headers(path: str) -> Iterable[tuple[bytes, bytes]]:
    return _SECURED_DOCS if path.startswith(_DOCS) else _SECURED
