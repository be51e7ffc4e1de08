"""/api/v1/...: authenticate, limit per user, and hand the request to the service that owns the path."""

from urllib.parse import quote_from_bytes

from fastapi import Request, Response
from starlette.routing import Match, Mount
from starlette.types import Receive, Scope, Send

from accord.gateway.adapters import event_streams
from accord.gateway.adapters.upstreams import RETURNED_RESPONSE_HEADERS, UpstreamFailed, Upstreams
from accord.gateway.domain.routes import route
from accord.gateway.settings import Settings
from accord.shared.auth import Principal, authenticate
from accord.shared.problems import Problem, problem_response


async def admitted(request: Request) -> Principal:
    """The verified caller, within their rate limit; 401 or 429 otherwise."""
    principal = await authenticate(request)
    settings: Settings = request.app.state.settings
    verdict = await request.app.state.limiter.take(
        f"user:{principal.subject}", settings.user_rate_per_second, settings.user_burst
    )
    if not verdict.allowed:
        raise Problem(
            429, "Too many requests", "Slow down and retry later", headers={"Retry-After": str(verdict.retry_after)}
        )
    return principal


async def forward(request: Request, service: str, path: str) -> Response:
    body = await request.body()  # within max_body_bytes: the Edge refuses more, announced or streamed
    upstreams: Upstreams = request.app.state.upstreams
    request.state.upstream = service
    try:
        answer = await upstreams.send(
            service, request.method, path, headers=request.headers, query=request.scope["query_string"], body=body
        )
    except UpstreamFailed as failure:
        return problem_response(
            failure.status,
            {502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}[failure.status],
            f"{failure.service}: {failure.reason}",
            service=failure.service,
        )
    # A header the service sent more than once goes back as one, its values joined (RFC 9110 5.3).
    headers = {
        name: ", ".join(values) for name in RETURNED_RESPONSE_HEADERS if (values := answer.headers.getall(name, []))
    }
    return Response(answer.body, status_code=answer.status, headers=headers)


PREFIX = "/api/v1/"
# What may stand unquoted in a path (RFC 3986 pchar and "/"), "%" kept so existing escapes stay as sent.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _quoted(raw_path: bytes) -> str:
    """The raw path as ASCII: escapes kept, anything a client sent unescaped (a space, UTF-8) escaped once."""
    return quote_from_bytes(raw_path, safe=_PATH_SAFE)


METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class ProxyMount(Mount):
    """/api/v1, tried before the gateway's other routes (a request for a service is the common case, and the router
    would otherwise try every route first), yet leaving the gateway's own /api/v1 paths to their routes."""

    def __init__(self, own_paths: frozenset[str]) -> None:
        super().__init__(PREFIX.rstrip("/"), app=Proxy())
        self.own_paths = own_paths

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("path") in self.own_paths:
            return Match.NONE, {}
        return super().matches(scope)


class Proxy:
    """Everything under /api/v1 that the gateway does not answer itself.

    A plain ASGI app rather than a FastAPI route: the proxy has no parameters to validate and no schema of its own,
    and FastAPI's per-request machinery (dependency solving, endpoint wrapping) cost more than the forwarding did.
    Refusals raised here (401, 429) still become problem+json in the app's exception middleware.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        # The path as sent, percent-encoding and all: decoded by the service exactly as the Mount decoded it here.
        raw = _quoted(scope.get("raw_path") or scope["path"].encode())
        target = route(raw.removeprefix(PREFIX)) if raw.startswith(PREFIX) else None
        response: Response
        if target is None:
            response = problem_response(404, "Not found", "No such API path")
        elif request.method not in METHODS:
            response = problem_response(405, "Method not allowed", f"{request.method} is not used by this API")
        else:
            await admitted(request)
            if event_streams.wanted(request):  # relayed as it comes, never read in full
                response = await request.app.state.event_streams.forward(request, target.service, target.upstream_path)
            else:
                response = await forward(request, target.service, target.upstream_path)
        await response(scope, receive, send)
