"""A development identity provider: tokens for the demo users and the JWKS that verifies them.

Mounted only when `dev_identity_provider` is set, which the settings refuse in production."""

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from accord.shared.devinfra.identity import DevIdentityProvider
from accord.shared.problems import Problem
from accord.shared.settings import LOCAL_ENV_FILE

DEMO_TENANT = "demo-trust"
DEMO_TEAM = UUID("7e3a0000-0000-4000-8000-000000000001")
DEMO_USERS: dict[str, dict[str, Any]] = {
    "sam": {"sub": UUID("5a000000-0000-4000-8000-000000000001"), "roles": ["client"], "about": "Sam, 16, client"},
    "alex": {"sub": UUID("a1e00000-0000-4000-8000-000000000002"), "roles": ["therapist"], "about": "Alex, therapist"},
    "jo": {"sub": UUID("70000000-0000-4000-8000-000000000003"), "roles": ["family"], "about": "Jo, Sam's parent"},
    "priya": {
        "sub": UUID("b0000000-0000-4000-8000-000000000004"),
        "roles": ["supervisor"],
        "about": "Priya, team supervisor",
        "teams": [DEMO_TEAM],
    },
}


class TokenRequest(BaseModel):
    user: str


def provider() -> DevIdentityProvider:
    return DevIdentityProvider.load_or_create(Path(LOCAL_ENV_FILE).parent)


def router(idp: DevIdentityProvider) -> APIRouter:
    r = APIRouter(prefix="/dev-idp", include_in_schema=False)  # not part of the public API

    @r.get("/users")
    async def users() -> dict[str, str]:
        return {name: u["about"] for name, u in DEMO_USERS.items()}

    @r.post("/token")
    async def token(body: TokenRequest) -> dict[str, str]:
        user = DEMO_USERS.get(body.user)
        if user is None:
            raise Problem(404, "No such demo user", field="user")
        access = idp.token(user["sub"], user["roles"], DEMO_TENANT, teams=user.get("teams", ()), lifetime=3600)
        return {"access_token": access, "token_type": "Bearer"}

    @r.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return idp.jwks()

    return r
