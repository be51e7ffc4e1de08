"""The development identity over HTTP (`accord-devtools identity-server`), for docker-compose and the dev overlay:
the services fetch its public keys from /.well-known/jwks.json and a developer gets tokens from POST /token.
Never for production."""

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from pydantic import BaseModel, Field

from accord.devtools.infra.identity import DevIdentityProvider
from accord.shared.events.contracts.common import Role


class TokenRequest(BaseModel):
    subject: UUID
    roles: list[Role] = Field(min_length=1)
    tenant_id: str = "tenant-a"
    teams: list[UUID] = []
    lifetime: int = Field(default=3600, ge=60, le=12 * 3600)


def create_identity_app(keys: Path, environment: str) -> FastAPI:
    if environment == "production":
        raise RuntimeError("the development identity provider must not run in production")
    provider = DevIdentityProvider.load_or_create(keys)  # keys kept in a volume: tokens survive restarts
    app = FastAPI(title="Accord development identity provider")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {"issuer": provider.issuer, "jwks_uri": "/.well-known/jwks.json", "token_endpoint": "/token"}

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return provider.jwks()

    @app.post("/token")
    async def token(request: TokenRequest) -> dict[str, Any]:
        access = provider.token(
            request.subject,
            [str(r) for r in request.roles],
            request.tenant_id,
            request.teams,
            lifetime=request.lifetime,
        )
        return {"access_token": access, "token_type": "Bearer", "expires_in": request.lifetime}

    return app
