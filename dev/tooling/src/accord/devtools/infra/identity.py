"""A development identity provider: issues access tokens for demo users and tests. Never for production."""

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


class DevIdentityProvider:
    """Signs access tokens with keys it generates, as an identity provider would: for tests and local development
    only. Production verifies tokens of the health service's real OIDC provider."""

    issuer = "https://id.accord.test"
    audience = "accord"

    def __init__(self, rsa_key: rsa.RSAPrivateKey | None = None, ec_key: ec.EllipticCurvePrivateKey | None = None):
        self.rsa_key = rsa_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec_key = ec_key or ec.generate_private_key(ec.SECP256R1())

    @classmethod
    def load_or_create(cls, folder: Path) -> "DevIdentityProvider":
        """Keeps the keys in `folder` (git-ignored), so tokens stay valid across restarts of the local stack."""
        rsa_path, ec_path = folder / "dev-idp-rsa.pem", folder / "dev-idp-ec.pem"
        if rsa_path.exists() and ec_path.exists():
            rsa_key = serialization.load_pem_private_key(rsa_path.read_bytes(), password=None)
            ec_key = serialization.load_pem_private_key(ec_path.read_bytes(), password=None)
            assert isinstance(rsa_key, rsa.RSAPrivateKey) and isinstance(ec_key, ec.EllipticCurvePrivateKey)
            return cls(rsa_key, ec_key)
        provider = cls()
        provider.save(folder)
        return provider

    def save(self, folder: Path) -> None:
        """Writes the private keys where `load_or_create` finds them: how another process (the development OIDC
        provider) signs tokens that the services configured with `env()` accept."""
        folder.mkdir(parents=True, exist_ok=True)
        for path, key in ((folder / "dev-idp-rsa.pem", self.rsa_key), (folder / "dev-idp-ec.pem", self.ec_key)):
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            path.chmod(0o600)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key, alg in (("rsa-1", self.rsa_key, "RS256"), ("ec-1", self.ec_key, "ES256")):
            algorithm = jwt.get_algorithm_by_name(alg)
            jwk = json.loads(algorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return {"keys": keys}

    def env(self) -> dict[str, str]:
        return {
            "ACCORD_OIDC_ISSUER": self.issuer,
            "ACCORD_OIDC_AUDIENCE": self.audience,
            "ACCORD_OIDC_JWKS": json.dumps(self.jwks()),
        }

    def token(
        self,
        subject: UUID,
        roles: Sequence[str],
        tenant_id: str = "tenant-a",
        teams: Sequence[UUID] = (),
        *,
        alg: str = "RS256",
        headers: dict[str, Any] | None = None,
        lifetime: int = 300,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(subject),
            "iat": now,
            "nbf": now - 1,
            "exp": now + lifetime,
            "tenant_id": tenant_id,
            "roles": list(roles),
            "teams": [str(t) for t in teams],
            **claims,
        }
        key = self.rsa_key if alg == "RS256" else self.ec_key
        kid = "rsa-1" if alg == "RS256" else "ec-1"
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid, "typ": "at+jwt", **(headers or {})})

    def bearer(self, subject: UUID, roles: Sequence[str], tenant_id: str = "tenant-a", **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, roles, tenant_id, **kw)}"}
