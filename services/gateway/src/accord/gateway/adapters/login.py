"""The gateway as a confidential OpenID Connect client of the identity provider, through Authlib: discovery,
the authorization code flow with PKCE (S256), ID token validation, refresh and the end-session URL. Nothing here is
hand-written OAuth; it only names what Authlib returns."""

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError


class LoginFailed(Exception):
    """The provider refused, or answered something that does not verify. The reason names no token."""


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    code_verifier: str
    nonce: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: float  # seconds from now; the session turns it into a time on its own clock
    refresh_token: str | None
    id_token: str | None
    name: str | None  # from the ID token; only at sign-in


class LoginProvider:
    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        scopes: str,
        redirect_uri: str,
        *,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.redirect_uri = redirect_uri
        client_kwargs: dict[str, Any] = {
            "scope": scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "timeout": timeout_seconds,
        }
        if transport is not None:  # tests: the provider as an in-process ASGI app
            client_kwargs["transport"] = transport
        self.client: StarletteOAuth2App = OAuth().register(
            "accord",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs=client_kwargs,
        )

    async def authorization(self) -> Authorization:
        made = await self._call(self.client.create_authorization_url(self.redirect_uri))
        return Authorization(made["url"], made["state"], made["code_verifier"], made["nonce"])

    async def finish(self, code: str, code_verifier: str, nonce: str) -> Tokens:
        token = await self._call(
            self.client.fetch_access_token(self.redirect_uri, code=code, code_verifier=code_verifier)
        )
        claims = await self._call(self.client.parse_id_token(token, nonce=nonce))
        if claims is None:
            raise LoginFailed("the provider sent no ID token")
        return self._tokens(token, name=claims.get("name") or claims.get("preferred_username"))

    async def refresh(self, refresh_token: str) -> Tokens:
        token = await self._call(
            self.client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        )
        return self._tokens(token, name=None, keep_refresh=refresh_token)

    async def logout_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str:
        made = await self._call(
            self.client.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=id_token,
                client_id=self.client.client_id,
            )
        )
        return str(made["url"])

    @staticmethod
    async def _call(awaitable: Any) -> Any:
        try:
            return await awaitable
        except OAuthError as exc:
            raise LoginFailed(f"the provider refused: {exc.error}") from exc
        except JoseError as exc:
            raise LoginFailed(f"the ID token does not verify: {exc.error}") from exc
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            raise LoginFailed(f"the provider could not be used: {type(exc).__name__}") from exc

    @staticmethod
    def _tokens(token: dict[str, Any], *, name: str | None, keep_refresh: str | None = None) -> Tokens:
        if "expires_in" in token:
            expires_in = float(token["expires_in"])
        else:  # the provider left it out (it may): the token's own exp then
            expires_in = float(token.get("expires_at", time.time() + 60)) - time.time()
        return Tokens(
            access_token=token["access_token"],
            expires_in=expires_in,
            refresh_token=token.get("refresh_token") or keep_refresh,  # a provider may keep the same one
            id_token=token.get("id_token"),
            name=name,
        )
