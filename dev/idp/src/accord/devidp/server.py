"""Authlib's authorization server, fitted to Starlette: the authorization code grant with PKCE (S256, required),
refresh tokens (rotated), OpenID Connect ID tokens and RP-initiated logout. Authlib ships this wiring for Flask and
Django only; here it is the few framework methods its `AuthorizationServer` asks for."""

import secrets
import time
from collections import defaultdict
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749 import grants as oauth2_grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import RSAKey
from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse, Response

from accord.devidp.models import AuthorizationCode, Client, RefreshToken
from accord.devidp.settings import Settings
from accord.devtools.infra.demo_users import DEMO_TENANT, DemoUser
from accord.devtools.infra.identity import DevIdentityProvider


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, query: QueryParams, form: QueryParams | None):
        self._values: defaultdict[str, list[str]] = defaultdict(list)
        for source in (query, form):
            for key, value in source.multi_items() if source is not None else ():
                self._values[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return {key: values[0] for key, values in self._values.items()}

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._values


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """An already-read Starlette request (Authlib's grants are synchronous: the form is read before they run)."""

    def __init__(self, method: str, url: str, headers: Headers, query: QueryParams, form: QueryParams | None):
        super().__init__(method=method, uri=url, headers=headers)
        self._query = query
        self._form = form
        self.payload = _Payload(query, form)

    @property
    def args(self) -> dict[str, str]:
        return dict(self._query)

    @property
    def form(self) -> dict[str, str]:
        return dict(self._form or {})


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE for every client, S256 only: a code without a challenge is refused at /authorize."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: code_challenge with code_challenge_method=S256")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge_method


class Provider(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, settings: Settings, keys: DevIdentityProvider):
        super().__init__(scopes_supported=["openid", "profile", "offline_access"])
        self.settings = settings
        self.keys = keys
        self.client = Client(
            settings.client_id,
            settings.client_secret,
            tuple(settings.redirect_uris),
            tuple(settings.post_logout_redirect_uris),
        )
        self.codes: dict[str, AuthorizationCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.register_token_generator("default", self._generate_token)
        self.register_grant(_AuthorizationCodeGrant, [S256CodeChallenge(required=True), _OpenIDCode(self)])
        self.register_grant(_RefreshTokenGrant)
        self.register_endpoint(_EndSession(self))

    # The framework methods Authlib leaves to integrations.
    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request  # routes build StarletteOAuth2Request themselves, after reading the body

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or b"", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass  # nobody listens

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        if refresh := token.get("refresh_token"):
            self.refresh_tokens[refresh] = RefreshToken(
                refresh,
                request.client.client_id,
                token["scope"],
                request.user,
                time.time() + self.settings.refresh_token_seconds,
            )

    def _generate_token(
        self,
        grant_type: str,
        client: Client,
        user: DemoUser,
        scope: str,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        lifetime = self.settings.access_token_seconds
        access = self.keys.token(
            user.sub,
            user.roles,
            DEMO_TENANT,
            teams=user.teams,
            lifetime=lifetime,
            iss=self.settings.access_token_issuer or self.settings.issuer,
            client_id=client.client_id,
            jti=secrets.token_urlsafe(16),
        )
        token = {"token_type": "Bearer", "access_token": access, "expires_in": lifetime, "scope": scope}
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token

    def signing_key(self) -> RSAKey:
        from cryptography.hazmat.primitives import serialization

        pem = self.keys.rsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return RSAKey.import_key(pem, {"kid": "rsa-1"})

    def user_info(self, user: DemoUser) -> UserInfo:
        return UserInfo(sub=str(user.sub), name=user.name, preferred_username=user.login)

    def metadata(self) -> dict[str, Any]:
        base = self.settings.issuer.rstrip("/")
        return {
            "issuer": self.settings.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks.json",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/end-session",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": self.scopes_supported,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "preferred_username", "iss", "aud", "exp", "iat", "nonce"],
        }


class _AuthorizationCodeGrant(oauth2_grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.client.get_allowed_scope(request.payload.scope),
            user=request.user,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        found: AuthorizationCode | None = self.server.codes.get(code)
        if found is None or found.client_id != client.client_id or found.expires_at < time.time():
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        self.server.codes.pop(authorization_code.code, None)  # a code works once

    def authenticate_user(self, authorization_code: AuthorizationCode) -> DemoUser:
        return authorization_code.user


class _RefreshTokenGrant(oauth2_grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: each refresh token works once

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        found: RefreshToken | None = self.server.refresh_tokens.get(refresh_token)
        if found is None or found.is_revoked() or found.is_expired():
            return None
        return found

    def authenticate_user(self, refresh_token: RefreshToken) -> DemoUser:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        refresh_token.revoked = True


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: Provider):
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return any(code.nonce == nonce for code in self.provider.codes.values())

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.signing_key()

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": "rsa-1"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.provider.settings.issuer,
            "aud": client.client_id,  # a single audience: how end-session finds the client from the hint
            "exp": now + self.provider.settings.id_token_seconds,
        }

    def generate_user_info(self, user: DemoUser, scope: str) -> UserInfo:
        return self.provider.user_info(user)


class _EndSession(EndSessionEndpoint):  # type: ignore[misc]
    def __init__(self, provider: Provider):
        super().__init__(provider)
        self.provider = provider

    def get_server_jwks(self) -> dict[str, Any]:
        return self.provider.keys.jwks()

    def get_algorithms(self) -> list[str]:
        return ["RS256"]

    def end_session(self, end_session_request: Any) -> None:
        """The provider keeps no sign-in session of its own (every sign-in asks whom to be), so logging out
        revokes the person's refresh tokens held by this client."""
        claims = end_session_request.id_token_claims or {}
        for token in self.provider.refresh_tokens.values():
            if str(token.user.sub) == claims.get("sub") and end_session_request.client is not None:
                token.revoked = token.revoked or token.client_id == end_session_request.client.client_id
