"""The development OpenID Connect provider as a Starlette app: discovery, the sign-in page, token, JWKS,
userinfo and end-session. Every OAuth decision is Authlib's; this file only reads requests and renders pages."""

from typing import Any
from urllib.parse import urlsplit

import jwt
from authlib.oauth2.rfc6749.errors import OAuth2Error
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from accord.devidp.pages import message_page, sign_in_page
from accord.devidp.server import Provider, StarletteOAuth2Request
from accord.devidp.settings import Settings
from accord.devtools.infra.demo_users import DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider

AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
)


async def _oauth_request(request: Request) -> StarletteOAuth2Request:
    # OAuth forms are application/x-www-form-urlencoded (RFC 6749 §4.1.3): parsed as a query string, so no
    # multipart parser is needed.
    form = QueryParams((await request.body()).decode()) if request.method == "POST" else None
    return StarletteOAuth2Request(request.method, str(request.url), request.headers, request.query_params, form)


def create_app(settings: Settings | None = None) -> Starlette:
    s = settings or Settings()  # filled from the environment
    provider = Provider(s, DevIdentityProvider.load_or_create(s.keys_dir))
    # The sign-in form's POST is answered by a redirect to the client, which form-action also governs.
    client_origins = sorted({_origin(uri) for uri in s.redirect_uris})
    page_csp = (
        f"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' {' '.join(client_origins)}"
    )

    def page(html: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            html,
            status_code=status,
            headers={
                "Content-Security-Policy": page_csp,
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def discovery(request: Request) -> JSONResponse:
        return JSONResponse(provider.metadata())

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(provider.keys.jwks())

    async def authorize(request: Request) -> Response:
        oauth_request = await _oauth_request(request)
        try:
            grant = provider.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            return _error(provider, oauth_request, error)
        if request.method == "GET":
            params = {k: v for k in AUTHORIZE_PARAMS if (v := oauth_request.payload.data.get(k)) is not None}
            return page(sign_in_page(params, list(DEMO_USERS.values())))
        user = DEMO_USERS.get(oauth_request.form.get("user", ""))
        if user is None:
            return page(message_page("Unknown person", "Choose one of the demo people."), 400)
        response: Response = provider.create_authorization_response(oauth_request, grant_user=user, grant=grant)
        return response

    async def token(request: Request) -> Response:
        response: Response = provider.create_token_response(await _oauth_request(request))
        return response

    async def end_session(request: Request) -> Response:
        oauth_request = await _oauth_request(request)
        try:
            validated = provider.validate_endpoint_request("end_session", oauth_request)
        except OAuth2Error as error:
            return _error(provider, oauth_request, error)
        response: Response | None = provider.create_endpoint_response("end_session", validated)
        return response or page(message_page("Signed out", "You are signed out of the development provider."))

    async def userinfo(request: Request) -> Response:
        scheme, _, access = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError("no bearer token")
            claims: dict[str, Any] = jwt.decode(
                access,
                provider.keys.rsa_key.public_key(),
                algorithms=["RS256"],
                audience=provider.keys.audience,
                issuer=s.access_token_issuer or s.issuer,
            )
        except jwt.InvalidTokenError:
            return JSONResponse({"error": "invalid_token"}, 401, headers={"WWW-Authenticate": "Bearer"})
        user = next((u for u in DEMO_USERS.values() if str(u.sub) == claims["sub"]), None)
        if user is None:
            return JSONResponse({"error": "invalid_token"}, 401, headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse(dict(provider.user_info(user)))

    app = Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks.json", jwks),
            Route("/authorize", authorize, methods=["GET", "POST"]),
            Route("/token", token, methods=["POST"]),
            Route("/end-session", end_session, methods=["GET", "POST"]),
            Route("/userinfo", userinfo, methods=["GET", "POST"]),
            Route("/health", lambda request: JSONResponse({"status": "ok"})),
        ]
    )
    app.state.provider = provider
    return app


def _error(provider: Provider, request: StarletteOAuth2Request, error: OAuth2Error) -> Response:
    """Authlib's own answer: a redirect back to a registered client with `error=`, or a JSON error when the
    client or its redirect URI cannot be trusted."""
    response: Response = provider.handle_error_response(request, error)
    return response


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"
