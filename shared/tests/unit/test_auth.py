"""The token verifier every service uses, against the attacks a JWT verifier must withstand."""

import base64
import json
import time
from uuid import uuid4

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.devtools.testing import TokenFactory
from accord.shared.auth import InvalidToken, TokenVerifier
from accord.shared.events.contracts.common import Role

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


def _signed(header: dict[str, object], claims: dict[str, object], alg: str = "RS256") -> str:
    """A token with exactly this header and these claims, genuinely signed with the issuer's key of `alg`: so that
    whatever is odd in it reaches the checks after the signature, as a forger with a stolen format would get."""
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if alg == "RS256":
        signature = RSAAlgorithm(RSAAlgorithm.SHA256).sign(signing_input.encode(), IDP.rsa_key)
    else:
        signature = ECAlgorithm(ECAlgorithm.SHA256).sign(signing_input.encode(), IDP.ec_key)
    return f"{signing_input}.{b64(signature)}"


def _claims(**changes: object) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(IDP.token(SUBJECT, ["client"]), options={"verify_signature": False})
    return {**claims, **changes}


MALFORMED = {
    "typ null": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": None}, _claims()),
    "typ a number": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": 7}, _claims()),
    "typ a list": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": ["at+jwt"]}, _claims()),
    "alg a list": lambda: _signed({"alg": ["RS256"], "kid": "rsa-1", "typ": "at+jwt"}, _claims()),
    "kid a number": lambda: _signed({"alg": "RS256", "kid": 1, "typ": "at+jwt"}, _claims()),
    "kid an object": lambda: _signed({"alg": "RS256", "kid": {"rsa-1": 1}, "typ": "at+jwt"}, _claims()),
    "ES256 naming the RSA key": lambda: _signed({"alg": "ES256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(), "ES256"),
    "RS256 naming the EC key": lambda: _signed({"alg": "RS256", "kid": "ec-1", "typ": "at+jwt"}, _claims()),
    "roles a string": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(roles="client")),
    "roles a number": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(roles=3)),
    "roles an object": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(roles={"admin": 1})),
    "roles nested lists": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(roles=[["a"]])),
    "teams a number": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(teams=5)),
    "teams an object": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(teams={"a": 1})),
    "tenant a number": lambda: _signed({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, _claims(tenant_id=5)),
}


@pytest.mark.parametrize("malformed", sorted(MALFORMED))
def test_a_malformed_header_or_claim_is_an_invalid_token_not_a_crash(malformed: str) -> None:
    with pytest.raises(InvalidToken):
        verifier().verify(MALFORMED[malformed]())


def test_the_signing_helper_makes_tokens_the_verifier_accepts() -> None:
    # Guards the property below: it is only meaningful if well-formed tokens from `_signed` pass.
    for alg, kid in (("RS256", "rsa-1"), ("ES256", "ec-1")):
        assert verifier().verify(_signed({"alg": alg, "kid": kid, "typ": "at+jwt"}, _claims(), alg)).subject == SUBJECT


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
HEADER_KEYS = st.sampled_from(["alg", "typ", "kid", "crit", "b64", "cty", "jku"])
CLAIM_KEYS = st.sampled_from(["sub", "tenant_id", "roles", "teams", "exp", "nbf", "iat", "iss", "aud"])
PLAUSIBLE = st.sampled_from(["RS256", "ES256", "HS256", "none", "at+jwt", "JWT", "rsa-1", "ec-1", "client", "admin"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header_changes=st.dictionaries(HEADER_KEYS, JSON_VALUES | PLAUSIBLE, max_size=4),
    claim_changes=st.dictionaries(CLAIM_KEYS, JSON_VALUES | PLAUSIBLE | st.lists(PLAUSIBLE, max_size=3), max_size=4),
    alg=st.sampled_from(["RS256", "ES256"]),
)
def test_any_header_and_claims_give_a_principal_or_an_invalid_token_and_nothing_else(
    header_changes: dict[str, object], claim_changes: dict[str, object], alg: str
) -> None:
    header = {"alg": alg, "kid": "rsa-1" if alg == "RS256" else "ec-1", "typ": "at+jwt", **header_changes}
    token = _signed(header, _claims(**claim_changes), alg)
    try:
        principal = verifier().verify(token)
    except InvalidToken:
        return
    # Accepted: then it was a well-formed access token whose roles really were a list of known role names.
    assert isinstance(header["typ"], str) and header["typ"].lower() == "at+jwt"
    roles = claim_changes.get("roles", ["client"])
    assert isinstance(roles, list) and principal.roles == {Role(r) for r in roles}
