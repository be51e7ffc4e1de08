"""Helpers that walk the provider's sign-in as a browser and a confidential client would."""

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx

FORM_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def sign_in_form_fields(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in FORM_FIELD.findall(html)}


async def authorize(http: httpx.AsyncClient, params: dict[str, str], user: str) -> dict[str, list[str]]:
    """GET the sign-in page, press the person's button; the query of the redirect back to the client."""
    page = await http.get("/authorize", params=params)
    assert page.status_code == 200, page.text
    answer = await http.post("/authorize", data={**sign_in_form_fields(page.text), "user": user})
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)
