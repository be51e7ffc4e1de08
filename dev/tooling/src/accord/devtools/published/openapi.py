"""The public API's merged OpenAPI document, built offline: each service's FastAPI app is made (which opens nothing:
no database, broker or identity provider is reached) and the gateway merges their documents as it does at run time.

The web app's typed client is generated from this document (scripts/update-web-client)."""

import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from accord.shared.services import GATEWAY, SERVICES

WEB_DOCUMENT = Path("web/src/api/openapi.json")

# Settings every service refuses to start without. Only their shape matters here: making an app connects to none.
_OFFLINE_SETTINGS = {
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
    "ACCORD_OIDC_ISSUER": "http://offline.invalid",
    # Inline keys, as the local env file that scripts/up writes has them: the environment then overrides that file.
    # A public key made for this document only (no private half exists); the services refuse an empty key set.
    "ACCORD_OIDC_JWKS": (
        '{"keys": [{"kty": "EC", "crv": "P-256", "x": "rxXXuZdJ0SGPmT4mMia5YmIoPMfYXCrkKQolemJji6k", '
        '"y": "xQvRlbCqsjkCZWxya6qD-BH3-kc_sZM7ZLplMB4CjXo", "kid": "offline", "use": "sig", "alg": "ES256"}]}'
    ),
    **{
        f"ACCORD_{service.upper()}_DATABASE_URL": "postgresql://offline:offline-document@127.0.0.1:9/none"
        for service in (*SERVICES, GATEWAY)
    },
}


# Set elsewhere (a test session, a developer's shell), these would clash with the settings above.
_CLEARED = ("ACCORD_OIDC_JWKS_URL",)


@contextmanager
def _offline_environment() -> Iterator[None]:
    """The same settings whatever the surrounding environment holds, put back afterwards."""
    saved = {key: os.environ.get(key) for key in (*_OFFLINE_SETTINGS, *_CLEARED)}
    os.environ.update(_OFFLINE_SETTINGS)
    for key in _CLEARED:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def public_document() -> dict[str, Any]:
    # Services are imported by name, so shared never depends on them.
    openapi = importlib.import_module("accord.gateway.entrypoints.openapi")
    with _offline_environment():
        documents = {
            service: importlib.import_module(f"accord.{service}.bootstrap").create_api().openapi()
            for service in SERVICES
        }
        gateway = importlib.import_module("accord.gateway.bootstrap").create_api()
        merged: dict[str, Any] = openapi.merge(gateway.openapi(), documents)
    return merged


def rendered() -> str:
    return json.dumps(public_document(), indent=2, sort_keys=True) + "\n"


def stale(root: Path) -> bool:
    path = root / WEB_DOCUMENT
    return not path.exists() or path.read_text() != rendered()


def write(root: Path) -> Path:
    path = root / WEB_DOCUMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rendered())
    return path
