"""The link that proves an e-mail address belongs to the person who added it.

The token is 32 random bytes (base64url), shown once: in the e-mail. The database keeps its SHA-256 only, so
someone who can read the table still cannot confirm an address. The link leads to a route of the web app, which asks
the person to sign in and then sends the token to the API: an address is confirmed only by its owner's own session,
so following a link meant for someone else's registration confirms nothing.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

CONFIRM_PATH = "/confirm-email"
"""The web app's route that takes `?token=` (web/src/screens/ConfirmEmail.tsx)."""


@dataclass(frozen=True)
class NewToken:
    token: str
    sha256: bytes


def new_token() -> NewToken:
    token = secrets.token_urlsafe(32)
    return NewToken(token, token_sha256(token))


def token_sha256(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def link_path(token: str) -> str:
    return f"{CONFIRM_PATH}?token={quote(token, safe='')}"


class TokenState(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"


def state_of(expires_at: datetime, used_at: datetime | None, now: datetime) -> TokenState:
    if used_at is not None:
        return TokenState.USED
    if now >= expires_at:
        return TokenState.EXPIRED
    return TokenState.USABLE
