import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from accord.notifications.domain.contact_points import (
    InvalidContactPoint,
    check_push_endpoint,
    check_push_keys,
    normalise_email,
)

PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_email_addresses_are_checked_and_their_domain_lower_cased() -> None:
    assert normalise_email(" Sam.Jones+accord@Example.ORG ") == "Sam.Jones+accord@example.org"
    for bad in ["sam", "sam@", "@example.org", "sam@localhost", "sam jones@example.org", "a" * 250 + "@x.org"]:
        with pytest.raises(InvalidContactPoint):
            normalise_email(bad)


def test_push_endpoints_must_be_https_on_a_known_push_service() -> None:
    ok = "https://fcm.googleapis.com/fcm/send/abc"
    assert check_push_endpoint(ok, PUSH_HOSTS, require_https=True) == ok
    assert check_push_endpoint("https://updates.push.services.mozilla.com/wpush/v2/x", PUSH_HOSTS, True)
    for bad in [
        "http://fcm.googleapis.com/x",
        "https://evil.example/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://user:pw@fcm.googleapis.com/x",
        "https://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
    ]:
        with pytest.raises(InvalidContactPoint):
            check_push_endpoint(bad, PUSH_HOSTS, require_https=True)


def test_a_loopback_push_endpoint_is_accepted_only_where_configured() -> None:
    assert check_push_endpoint("http://127.0.0.1:9000/push/1", ("127.0.0.1",), require_https=False)
    with pytest.raises(InvalidContactPoint):
        check_push_endpoint("http://127.0.0.1:9000/push/1", PUSH_HOSTS, require_https=False)


def test_push_keys_must_be_a_p256_point_and_a_16_byte_secret() -> None:
    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    check_push_keys(b64(point), b64(os.urandom(16)))
    with pytest.raises(InvalidContactPoint, match="P-256"):
        check_push_keys(b64(os.urandom(65)), b64(os.urandom(16)))
    with pytest.raises(InvalidContactPoint):
        check_push_keys(b64(point), b64(os.urandom(8)))
