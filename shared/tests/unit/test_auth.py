"""The token verifier every service uses, against the attacks a JWT verifier must withstand."""

import base64
import json
import time
from uuid import uuid4

import jwt
import pytest

from accord.shared.auth import InvalidToken, TokenVerifier
from accord.shared.events.contracts.common import Role
from accord.shared.testing import TokenFactory

IDP = TokenFactory()
OTHER_IDP = TokenFactory()
SUBJECT = uuid4()


def verifier() -> TokenVerifier:
    return TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_valid_rs256_or_es256_access_token_yields_the_principal() -> None:
    team = uuid4()
    for alg in ("RS256", "ES256"):
        principal = verifier().verify(IDP.token(SUBJECT, ["supervisor"], "north", teams=[team], alg=alg))
        assert principal.subject == SUBJECT and principal.tenant_id == "north"
        assert principal.roles == {Role.SUPERVISOR} and principal.teams == {team}


def _forged_none() -> str:
    header = b64(json.dumps({"alg": "none", "typ": "at+jwt", "kid": "rsa-1"}).encode())
    claims = jwt.decode(IDP.token(SUBJECT, ["admin"]), options={"verify_signature": False})
    return f"{header}.{b64(json.dumps(claims).encode())}."


def _hs256_with_public_key() -> str:
    from cryptography.hazmat.primitives import serialization

    public_pem = IDP.rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(IDP.token(SUBJECT, ["admin"]), options={"verify_signature": False})
    header = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": "rsa-1"}).encode())
    body = b64(json.dumps(claims).encode())
    import hashlib
    import hmac

    signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def _tampered() -> str:
    header, body, signature = IDP.token(SUBJECT, ["client"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["roles"] = ["admin"]
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


ATTACKS = {
    "alg=none": _forged_none,
    "HS256 signed with the public key": _hs256_with_public_key,
    "expired": lambda: IDP.token(SUBJECT, ["client"], lifetime=-120),
    "not yet valid": lambda: IDP.token(SUBJECT, ["client"], nbf=int(time.time()) + 600),
    "wrong issuer": lambda: IDP.token(SUBJECT, ["client"], iss="https://evil.example"),
    "wrong audience": lambda: IDP.token(SUBJECT, ["client"], aud="another-api"),
    "unknown kid": lambda: IDP.token(SUBJECT, ["client"], headers={"kid": "rotated-away"}),
    "signed by another issuer's key": lambda: OTHER_IDP.token(SUBJECT, ["client"]),
    "jku header pointing elsewhere": lambda: IDP.token(SUBJECT, ["client"], headers={"jku": "https://evil/jwks"}),
    "x5u header pointing elsewhere": lambda: IDP.token(SUBJECT, ["client"], headers={"x5u": "https://evil/cert"}),
    "ID token used as an access token": lambda: IDP.token(SUBJECT, ["client"], headers={"typ": "JWT"}),
    "tampered payload": _tampered,
    "no subject": lambda: IDP.token(SUBJECT, ["client"], sub=None),
    "unknown role": lambda: IDP.token(SUBJECT, ["root"]),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_every_attack_is_rejected(attack: str) -> None:
    with pytest.raises(InvalidToken):
        verifier().verify(ATTACKS[attack]())


def test_every_attack_is_rejected_by_a_verifier_that_remembers_the_genuine_token() -> None:
    v = verifier()
    genuine = IDP.token(SUBJECT, ["client"])
    v.verify(genuine)
    header, body, signature = genuine.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    promoted = f"{header}.{b64(json.dumps({**claims, 'roles': ['admin']}).encode())}.{signature}"
    with pytest.raises(InvalidToken):
        v.verify(promoted)  # the remembered token's signature does not vouch for another payload
    for attack in ATTACKS.values():
        with pytest.raises(InvalidToken):
            v.verify(attack())
    assert v.verify(genuine).subject == SUBJECT


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    v = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks(), leeway_seconds=0)
    token = IDP.token(SUBJECT, ["client"], lifetime=2)  # whole seconds: 1 to 2 s left
    assert v.verify(token).subject == SUBJECT
    time.sleep(2.1)
    with pytest.raises(InvalidToken):
        v.verify(token)
