"""The development OpenID Connect provider (`accord-dev-idp`, from dev/idp) as its own process, registered with
one confidential client: the gateway at `gateway_url`. For `scripts/up` and the end-to-end tests only; the
command exists only where the development dependencies are installed, never in an image."""

import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.ports import free_port

CLIENT_ID = "accord-gateway"


@dataclass(frozen=True)
class DevLogin:
    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen[bytes]

    def gateway_env(self, gateway_url: str) -> dict[str, str]:
        """What the gateway needs to sign browsers in with this provider."""
        return {
            "ACCORD_GATEWAY_PUBLIC_BASE_URL": gateway_url,
            "ACCORD_GATEWAY_LOGIN_ISSUER": self.issuer,
            "ACCORD_GATEWAY_LOGIN_CLIENT_ID": self.client_id,
            "ACCORD_GATEWAY_LOGIN_CLIENT_SECRET": self.client_secret,
        }


def start_dev_login(
    identity: DevIdentityProvider,
    gateway_url: str,
    logs: Path,
    *,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> DevLogin:
    """Starts the provider signing with `identity`'s keys, so the services configured with `identity.env()` accept
    the access tokens it issues (their `iss` is `identity.issuer`; the provider's own issuer is its URL)."""
    keys = logs / "dev-idp-keys"
    identity.save(keys)
    port = port or free_port()
    issuer = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "ACCORD_DEV_IDP_ISSUER": issuer,
        "ACCORD_DEV_IDP_ACCESS_TOKEN_ISSUER": identity.issuer,
        "ACCORD_DEV_IDP_KEYS_DIR": str(keys),
        "ACCORD_DEV_IDP_CLIENT_ID": CLIENT_ID,
        "ACCORD_DEV_IDP_CLIENT_SECRET": secret,
        "ACCORD_DEV_IDP_REDIRECT_URIS": f'["{gateway_url}/auth/callback"]',
        "ACCORD_DEV_IDP_POST_LOGOUT_REDIRECT_URIS": f'["{gateway_url}/"]',
        **(extra_env or {}),
    }
    with open(logs / "dev-idp.log", "ab") as out:
        process = subprocess.Popen(
            ["accord-dev-idp", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return DevLogin(issuer, CLIENT_ID, secret, process)
