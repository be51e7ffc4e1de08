"""A shortcut of the development identity provider for scripts (the demo data, curl): tokens for the demo people
(`accord.devtools.infra.demo_users`, the same as dev/idp's sign-in page) and the JWKS that verifies them.

Mounted only when `dev_identity_provider` is set, which the settings refuse in production."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from accord.devtools.infra.demo_users import DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider
from accord.shared.problems import Problem
from accord.shared.settings import LOCAL_ENV_FILE


class TokenRequest(BaseModel):
    user: str


def provider() -> DevIdentityProvider:
    return DevIdentityProvider.load_or_create(Path(LOCAL_ENV_FILE).parent)


def router(idp: DevIdentityProvider) -> APIRouter:
    r = APIRouter(prefix="/dev-idp", include_in_schema=False)  # not part of the public API

    @r.get("/users")
    async def users() -> dict[str, str]:
        return {name: u.about for name, u in DEMO_USERS.items()}

    @r.post("/token")
    async def token(body: TokenRequest) -> dict[str, str]:
        user = DEMO_USERS.get(body.user)
        if user is None:
            raise Problem(404, "No such demo user", field="user")
        access = idp.token(user.sub, user.roles, DEMO_TENANT, teams=user.teams, lifetime=3600)
        return {"access_token": access, "token_type": "Bearer"}

    @r.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return idp.jwks()

    return r
