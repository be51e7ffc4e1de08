"""/api/v1/...: authenticate, limit per user, and hand the request to the service that owns the path."""

from fastapi import APIRouter, Request, Response

from accord.gateway.adapters.upstreams import RETURNED_RESPONSE_HEADERS, UpstreamFailed, Upstreams
from accord.gateway.domain.routes import route
from accord.gateway.settings import Settings
from accord.shared.auth import Principal, authenticate
from accord.shared.problems import Problem, problem_response

router = APIRouter(include_in_schema=False)


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
    settings: Settings = request.app.state.settings
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        return problem_response(413, "Request too large", f"Send at most {settings.max_body_bytes} bytes")
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


@router.api_route("/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def proxy(path: str, request: Request) -> Response:
    target = route(path)
    if target is None:
        return problem_response(404, "Not found", "No such API path")
    await admitted(request)
    return await forward(request, target.service, target.upstream_path)
