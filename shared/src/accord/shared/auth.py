"""The identity contract every service shares: OIDC access tokens (JWT) verified against the issuer's JWKS.

A service verifies the token itself on every request and never trusts a bare identity header. Claims used:
`iss`, `aud`, `sub`, `exp` (`nbf` when present), `tenant_id`, `roles`, and for supervisors `teams`. The token must be
an access token (JOSE header `typ: at+jwt`, RFC 9068): an ID token is refused.
"""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import jwt
import structlog
from cachetools import TLRUCache
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
    """Verifies access tokens against a JWKS: from a URL (the key set cached by PyJWKClient for five minutes and
    refetched on an unknown `kid`), from a given PyJWKClient, or given inline (tests, static deployments).

    A client sends the same token with every request until it expires, and a signature check with its JSON and
    base64 work costs more than the rest of a simple read. So a verified token is remembered, per process, in a
    bounded LRU keyed by the SHA-256 of its exact text (a changed byte is a different token, verified in full; the
    token itself is not kept), for at most `remember_seconds` and never past its own `exp` (plus the leeway the
    full check allows). The same text always carries the same claims, so the principal cannot go stale while the
    token lives; what the principal may do is decided by each service from its database on every request and is
    never remembered here. A token that fails is never remembered. When the key set changes (a key removed,
    replaced or added) everything remembered is forgotten, so a token signed by a withdrawn key is not served.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        jwks_client: jwt.PyJWKClient | None = None,
        leeway_seconds: int = 30,
        remember_seconds: float = 60,
        remember_at_most: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if sum(source is not None for source in (jwks_url, jwks, jwks_client)) != 1:
            raise ValueError("give exactly one of jwks_url, jwks or jwks_client")
        self.issuer, self.audience, self.leeway = issuer, audience, leeway_seconds
        self.remember_seconds, self.remember_at_most = remember_seconds, remember_at_most
        self._clock = clock
        self._verified = self._empty_memory()
        # No per-kid key cache (`cache_keys`): PyJWT keeps those forever, so a key withdrawn from the JWKS would
        # still verify tokens. The key set itself is cached and refetched after its lifespan.
        self._client = jwt.PyJWKClient(jwks_url, lifespan=300, timeout=5) if jwks_url else jwks_client
        self._static = jwt.PyJWKSet.from_dict(jwks) if jwks else None
        self._key_set_seen: jwt.PyJWKSet | None = None
        self._key_set_fingerprint: frozenset[tuple[str | None, str]] = frozenset()

    @property
    def remembered(self) -> int:
        """How many verified tokens are held right now (expired ones may still count until evicted)."""
        return len(self._verified)

    def verify(self, token: str) -> Principal:
        digest = hashlib.sha256(token.encode()).digest()
        if (key_set := self._current_key_set()) is not None:  # None: the keys are due a refetch, so check in full
            self._notice(key_set)
            remembered = self._verified.get(digest)  # None once past its `until`, by the same clock
            if remembered is not None and self._clock() >= remembered.not_before - self.leeway:
                return remembered.principal  # (`nbf` again only because a wall clock can step backwards)
        try:
            principal, expires_at, not_before = self._verify_in_full(token)
        except InvalidToken:
            raise
        except Exception as exc:
            # Whatever a hostile token trips over in the libraries below is still only a bad token: a 401, never a
            # 500. The specific checks below catch what is known; this is the last line.
            log.warning("access token check failed unexpectedly", error=type(exc).__name__)
            raise InvalidToken(f"unverifiable token ({type(exc).__name__})") from exc
        if (key_set := self._current_key_set()) is not None and self.remember_seconds > 0:
            self._notice(key_set)  # a refetch during the check may have changed the keys: forget before remembering
            now = self._clock()
            until = min(expires_at + self.leeway, now + self.remember_seconds)
            self._verified[digest] = _Remembered(principal, until, not_before)
        return principal

    def _empty_memory(self) -> "TLRUCache[bytes, _Remembered]":
        return TLRUCache(maxsize=self.remember_at_most, ttu=_until, timer=self._clock)

    def _current_key_set(self) -> jwt.PyJWKSet | None:
        """The key set in force without fetching anything, or None when it must be (re)fetched first."""
        if self._static is not None:
            return self._static
        assert self._client is not None
        return self._client.jwk_set_cache.get() if self._client.jwk_set_cache is not None else None

    def _notice(self, key_set: jwt.PyJWKSet) -> None:
        """Forget every remembered token when the keys differ from those they were verified with."""
        if key_set is self._key_set_seen:
            return
        fingerprint = frozenset((key.key_id, key.Algorithm.to_jwk(key.key)) for key in key_set.keys)
        if fingerprint != self._key_set_fingerprint:
            if self._key_set_seen is not None:
                log.info("signing keys changed: remembered tokens forgotten", remembered=len(self._verified))
            self._verified = self._empty_memory()
            self._key_set_fingerprint = fingerprint
        self._key_set_seen = key_set

    def _verify_in_full(self, token: str) -> tuple[Principal, float, float]:
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
        self._check_times(claims)
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
            nbf = claims.get("nbf")
            return principal, float(claims["exp"]), float(nbf) if isinstance(nbf, int | float) else float("-inf")
        except ValidationError as exc:
            raise InvalidToken("claims do not describe a principal") from exc

    def _check_times(self, claims: dict[str, Any]) -> None:
        """PyJWT checks `exp` and `nbf` against the system time; checked again against this verifier's clock (the
        same one its memory expires by), with the same leeway and the same comparisons, so the two always agree."""
        now = self._clock()
        if float(claims["exp"]) <= now - self.leeway:
            raise InvalidToken("token has expired")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + self.leeway:
            raise InvalidToken("token is not yet valid")

    def _signing_key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no kid")
        try:
            if self._client is None:
                assert self._static is not None
                return self._static[kid]
            try:
                return self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError:
                if self._key_set_seen is None or self._client.jwk_set_cache is None:
                    raise
                # The identity provider is unreachable: the keys last fetched stay in force for another lifespan,
                # rather than every request refetching (blocking) and failing until it is back. A withdrawn key is
                # still dropped at the first successful fetch.
                log.warning("JWKS unreachable: the last key set stays in force")
                self._client.jwk_set_cache.put(self._key_set_seen)
                return self._key_set_seen[kid]
        except (KeyError, jwt.PyJWKClientError) as exc:
            raise InvalidToken(f"unknown signing key {kid!r}") from exc


@dataclass(frozen=True, slots=True)
class _Remembered:
    principal: Principal
    until: float  # clock time after which the token is verified in full again (if still valid at all)
    not_before: float


def _until(_digest: bytes, remembered: _Remembered, _now: float) -> float:
    return remembered.until


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
