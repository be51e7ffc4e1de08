"""A browser's sign-in at the gateway: the tokens stay here, the browser holds only a random session id.

Pure rules, no I/O: when a session has ended (idle or too old), when its access token is due for a refresh, and
which `return_to` paths a login may come back to."""

import re
import secrets
from dataclasses import asdict, dataclass, replace
from typing import Any

SESSION_ID_BYTES = 32  # 256 bits from the OS's CSPRNG: the cookie value
_SAFE_RETURN = re.compile(r"^/(?![/\\])[^\s\\]*$")


@dataclass(frozen=True)
class Session:
    subject: str
    roles: tuple[str, ...]
    tenant_id: str
    name: str
    csrf_token: str
    access_token: str
    access_expires_at: float
    refresh_token: str | None
    id_token: str | None
    created_at: float
    last_seen_at: float

    def expires_at(self, absolute_seconds: float) -> float:
        return self.created_at + absolute_seconds

    def idle_expires_at(self, idle_seconds: float) -> float:
        return self.last_seen_at + idle_seconds

    def ended(self, now: float, idle_seconds: float, absolute_seconds: float) -> bool:
        return now >= self.idle_expires_at(idle_seconds) or now >= self.expires_at(absolute_seconds)

    def needs_refresh(self, now: float, margin_seconds: float) -> bool:
        return now >= self.access_expires_at - margin_seconds

    def seen(self, now: float) -> "Session":
        return replace(self, last_seen_at=now)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Session":
        return cls(**{**data, "roles": tuple(data["roles"])})


@dataclass(frozen=True)
class PendingLogin:
    """Between /auth/login and /auth/callback: what the callback needs to finish, kept at the gateway by `state`.
    `browser_binding` must come back in the login cookie, so a code obtained by someone else cannot be planted in
    this browser (login CSRF)."""

    code_verifier: str
    nonce: str
    return_to: str
    browser_binding: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PendingLogin":
        return cls(**data)


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def safe_return_to(candidate: str | None) -> str:
    """Only a path on this origin: `/goals/1?x=y`, never `//evil.example`, `/\\evil.example` or `https://...`."""
    if candidate and len(candidate) <= 2048 and _SAFE_RETURN.match(candidate):
        return candidate
    return "/"
