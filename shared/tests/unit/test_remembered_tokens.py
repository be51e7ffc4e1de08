"""The verifier's memory of verified tokens never answers what a full check would refuse: not after `exp`, not for
a token whose signature fails, not once the signing keys change; it stays bounded and saves the signature check."""

import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import jwt
import pytest

from accord.devtools.testing import TokenFactory
from accord.shared.auth import InvalidToken, TokenVerifier

IDP = TokenFactory()
OTHER_IDP = TokenFactory()  # same kids (rsa-1, ec-1), other key material: a key replaced under the same name
SUBJECT = uuid4()


class Clock:
    """Wall time that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class ServedJwks(jwt.PyJWKClient):
    """A JWKS endpoint whose answer the test changes; PyJWKClient's own key-set cache and refetch logic still run."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        super().__init__("https://idp.invalid/jwks", lifespan=300, cooldown_duration=0)
        self.jwks, self.down, self.fetches = jwks, False, 0

    def fetch_data(self) -> Any:
        self.fetches += 1
        if self.down:
            raise jwt.PyJWKClientConnectionError("identity provider unreachable")
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(self.jwks)
        return self.jwks


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every token whose signature PyJWT checks, in order."""
    checked: list[str] = []
    decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    yield checked


def test_the_same_token_verified_twice_has_its_signature_checked_once(signature_checks: list[str]) -> None:
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks())
    token = IDP.token(SUBJECT, ["client"])
    assert verifier.verify(token) == verifier.verify(token)
    assert signature_checks == [token]


def test_an_expired_token_is_refused_even_when_it_was_remembered_while_valid() -> None:
    clock = Clock()
    verifier = TokenVerifier(
        issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks(), leeway_seconds=5, remember_seconds=3600, clock=clock
    )
    token = IDP.token(SUBJECT, ["client"], lifetime=120)
    assert verifier.verify(token).subject == SUBJECT
    clock.now += 120 + 4  # still within the leeway: remembered
    assert verifier.verify(token).subject == SUBJECT
    clock.now += 2  # past exp + leeway
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_token_is_checked_in_full_again_after_the_remembering_period(signature_checks: list[str]) -> None:
    clock = Clock()
    verifier = TokenVerifier(
        issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks(), remember_seconds=60, clock=clock
    )
    token = IDP.token(SUBJECT, ["client"], lifetime=300)
    verifier.verify(token)
    clock.now += 61
    verifier.verify(token)
    assert signature_checks == [token, token]


def test_a_token_whose_signature_fails_is_refused_every_time(signature_checks: list[str]) -> None:
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks())
    forged = OTHER_IDP.token(SUBJECT, ["admin"])  # the right kid, signed by the wrong key
    for _ in range(3):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
    assert signature_checks == [forged] * 3 and verifier.remembered == 0


def test_a_remembered_token_is_refused_once_its_signing_key_is_replaced_in_the_key_set() -> None:
    served = ServedJwks(IDP.jwks())
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks_client=served)
    old = IDP.token(SUBJECT, ["client"])
    assert verifier.verify(old).subject == SUBJECT and verifier.remembered == 1
    served.jwks = OTHER_IDP.jwks()
    served.get_jwk_set(refresh=True)  # the periodic refetch (or one forced by an unknown kid)
    with pytest.raises(InvalidToken):
        verifier.verify(old)
    assert verifier.verify(OTHER_IDP.token(SUBJECT, ["client"])).subject == SUBJECT


def test_a_remembered_token_is_refused_once_its_signing_key_is_withdrawn(signature_checks: list[str]) -> None:
    served = ServedJwks(IDP.jwks())
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks_client=served)
    rsa_token, ec_token = IDP.token(SUBJECT, ["client"], alg="RS256"), IDP.token(SUBJECT, ["client"], alg="ES256")
    verifier.verify(rsa_token), verifier.verify(ec_token)
    served.jwks = {"keys": [key for key in IDP.jwks()["keys"] if key["kid"] != "rsa-1"]}
    served.get_jwk_set(refresh=True)
    with pytest.raises(InvalidToken):
        verifier.verify(rsa_token)
    assert verifier.verify(ec_token).subject == SUBJECT  # still valid, but checked again under the new key set
    assert signature_checks == [rsa_token, ec_token, ec_token]


def test_the_memory_holds_at_most_its_bound_and_forgets_the_least_recently_used(signature_checks: list[str]) -> None:
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks(), remember_at_most=2)
    first, second, third = (IDP.token(uuid4(), ["client"]) for _ in range(3))
    verifier.verify(first), verifier.verify(second), verifier.verify(first), verifier.verify(third)
    assert verifier.remembered == 2
    signature_checks.clear()
    verifier.verify(first), verifier.verify(third)
    assert signature_checks == []
    verifier.verify(second)
    assert signature_checks == [second]


def test_a_token_not_yet_valid_is_never_remembered_and_is_refused_until_its_time() -> None:
    clock = Clock()
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks=IDP.jwks(), leeway_seconds=0, clock=clock)
    token = IDP.token(SUBJECT, ["client"], nbf=int(clock.now) + 600, lifetime=1200)
    with pytest.raises(InvalidToken):
        verifier.verify(token)
    assert verifier.remembered == 0


def test_while_the_key_set_cannot_be_refetched_the_last_one_stays_in_force_and_is_not_refetched_per_request() -> None:
    served = ServedJwks(IDP.jwks())
    verifier = TokenVerifier(issuer=IDP.issuer, audience=IDP.audience, jwks_client=served)
    token = IDP.token(SUBJECT, ["client"])
    verifier.verify(token)
    served.down = True
    assert served.jwk_set_cache is not None
    served.jwk_set_cache.put(None)  # as when its lifespan is over
    fetches = served.fetches
    for _ in range(3):
        assert verifier.verify(token).subject == SUBJECT
        assert verifier.verify(IDP.token(uuid4(), ["client"])).roles
    assert served.fetches == fetches + 1
    with pytest.raises(InvalidToken):
        verifier.verify(OTHER_IDP.token(SUBJECT, ["client"]))  # the old keys still decide
