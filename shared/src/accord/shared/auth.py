"""The identity contract every service shares: OIDC access tokens (JWT) verified against the issuer's JWKS.

A service verifies the token itself on every request and never trusts a bare identity header. Claims used:
`iss`, `aud`, `sub`, `exp` (`nbf` when present), `tenant_id`, `roles`, and for supervisors `teams`. The token must be
an access token (JOSE header `typ: at+jwt`, RFC 9068): an ID token is refused.
"""

import json
import time
from collections import OrderedDict
from typing import Annotated, Any
from uuid import UUID

import jwt
import structlog
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.shared.events.contracts.common import Role
from accord.shared.problems import Problem

log = structlog.get_logger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "ES256")
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a JOSE media type, not a secret


class Principal(BaseModel):
    """Who is asking: the verified subject of an access token."""

    model_config = ConfigDict(frozen=True)

    subject: UUID
    tenant_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    roles: frozenset[Role]
    teams: frozenset[UUID] = frozenset()

    def has(self, role: Role) -> bool:
        return role in self.roles


class InvalidToken(Exception):
    """The token is not acceptable; the message says why (for logs and tests, not for the client)."""


class TokenVerifier:
    """Verifies access tokens against a JWKS: from a URL (cached by PyJWKClient, refetched on an unknown `kid`)
    or given inline (tests, static deployments).

    A client sends the same token with every request until it expires, and a signature check with its JSON and
    base64 work costs more than the rest of a simple read. So a verified token is remembered — by its exact text,
    for at most `remember_seconds` and never past its own expiry — and a repeat only has its time limits checked
    again. A changed byte is a different token and is verified in full.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        leeway_seconds: int = 30,
        remember_seconds: float = 60,
        remember_at_most: int = 10_000,
    ) -> None:
        if (jwks_url is None) == (jwks is None):
            raise ValueError("give exactly one of jwks_url or jwks")
        self.issuer, self.audience, self.leeway = issuer, audience, leeway_seconds
        self.remember_seconds, self.remember_at_most = remember_seconds, remember_at_most
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()  # token -> (principal, until)
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._static = jwt.PyJWKSet.from_dict(jwks) if jwks else None

    def verify(self, token: str) -> Principal:
        now = time.time()
        if (known := self._verified.get(token)) is not None:
            principal, until = known
            if now < until:
                return principal
            del self._verified[token]
        try:
            principal, expires_at = self._verify_in_full(token)
        except InvalidToken:
            raise
        except Exception as exc:
            # Whatever a hostile token trips over in the libraries below is still only a bad token: a 401, never a
            # 500. The specific checks below catch what is known; this is the last line.
            log.warning("access token check failed unexpectedly", error=type(exc).__name__)
            raise InvalidToken(f"unverifiable token ({type(exc).__name__})") from exc
        if self.remember_seconds > 0:
            self._verified[token] = (principal, min(expires_at + self.leeway, now + self.remember_seconds))
            if len(self._verified) > self.remember_at_most:
                self._verified.popitem(last=False)  # the oldest goes first
        return principal

    def _verify_in_full(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        alg, typ, kid = header.get("alg"), header.get("typ"), header.get("kid")
        if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
            raise InvalidToken("algorithm is not allowed")
        if not isinstance(typ, str) or typ.lower() != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token (typ must be at+jwt)")
        if {"jku", "x5u", "jwk", "x5c"} & header.keys():
            raise InvalidToken("key-location headers are refused: keys come only from the configured JWKS")
        jwk = self._signing_key(kid)
        if jwk.algorithm_name != alg:
            # A key is used only with its own algorithm: an ES256 header naming an RSA key is a forgery attempt
            # (and PyJWT would fail on it with a TypeError, not a PyJWTError).
            raise InvalidToken(f"algorithm {alg} does not match key {kid!r}")
        try:
            claims = jwt.decode(
                token,
                key=jwk.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        roles, teams = claims.get("roles", []), claims.get("teams", [])
        if not _list_of_strings(roles) or not _list_of_strings(teams):
            raise InvalidToken("roles and teams must be lists of strings")
        try:
            principal = Principal(
                subject=claims["sub"],
                tenant_id=claims.get("tenant_id", ""),
                roles=frozenset(roles),
                teams=frozenset(teams),
            )
            return principal, float(claims["exp"])
        except ValidationError as exc:
            raise InvalidToken("claims do not describe a principal") from exc

    def _signing_key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no kid")
        try:
            if self._client is not None:
                return self._client.get_signing_key(kid)
            assert self._static is not None
            return self._static[kid]
        except (KeyError, jwt.PyJWKClientError) as exc:
            raise InvalidToken(f"unknown signing key {kid!r}") from exc


def _list_of_strings(value: object) -> bool:
    """A JSON array of strings: not an object (whose keys would pass for roles), not a string, not nested."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def verifier_from_settings(issuer: str, audience: str, jwks_url: str | None, jwks_json: str | None) -> TokenVerifier:
    return TokenVerifier(
        issuer=issuer, audience=audience, jwks_url=jwks_url, jwks=json.loads(jwks_json) if jwks_json else None
    )


def _unauthorized(reason: str) -> Problem:
    log.info("access token refused", why=reason)
    return Problem(
        401,
        "Unauthorized",
        "A valid access token is required",
        headers={"WWW-Authenticate": 'Bearer realm="accord", error="invalid_token"'},
    )


async def authenticate(request: Request) -> Principal:
    """FastAPI dependency: the verified principal of the request, or 401 problem+json."""
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(
            401,
            "Unauthorized",
            "A bearer access token is required",
            headers={"WWW-Authenticate": 'Bearer realm="accord"'},
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(token.strip())
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from exc


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
