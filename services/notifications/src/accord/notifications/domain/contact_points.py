"""Where a person can be reached, and what makes an address or a push subscription acceptable."""

import base64
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from accord.shared.events.contracts.notifications import Channel

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")


@dataclass(frozen=True)
class ContactPoint:
    id: UUID
    person_id: UUID
    channel: Channel
    address: str
    """An e-mail address, or a push subscription's endpoint URL."""
    p256dh: str | None = None
    auth: str | None = None


class InvalidContactPoint(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def normalise_email(address: str) -> str:
    address = address.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidContactPoint("email", "is not an e-mail address")
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_push_endpoint(endpoint: str, allowed_hosts: tuple[str, ...], require_https: bool) -> str:
    """The endpoint, if it is on an allowed push service: the worker will POST to it."""
    parts = urlsplit(endpoint.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and (require_https or parts.scheme != "http"):
        raise InvalidContactPoint("endpoint", "must be an https URL of a push service")
    if not host or not any(host == h or host.endswith("." + h) for h in allowed_hosts):
        raise InvalidContactPoint("endpoint", "is not on a known push service")
    if require_https and _is_ip_literal(host):
        raise InvalidContactPoint("endpoint", "must name a push service, not an address")
    if parts.username or parts.password:
        raise InvalidContactPoint("endpoint", "must not carry credentials")
    return endpoint.strip()


def check_push_keys(p256dh: str, auth: str) -> None:
    """The browser's P-256 public key (uncompressed point) and 16-byte auth secret, both base64url."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
    except ValueError:
        raise InvalidContactPoint("keys.p256dh", "is not a P-256 public key") from None
    if len(b64url_decode(auth)) != 16:
        raise InvalidContactPoint("keys.auth", "must be 16 bytes, base64url")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return b""


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
