"""The web app's typed client is generated from web/src/api/openapi.json; that file must be what the services'
code says today (scripts/update-web-client), or the app would be typed against an API that no longer exists."""

import json
from pathlib import Path

import pytest

from accord.devtools.published import openapi

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_apps_openapi_document_is_what_the_services_code_generates() -> None:
    assert not openapi.stale(ROOT), "run scripts/update-web-client"


def test_the_offline_document_has_every_services_public_paths_under_api_v1() -> None:
    document = json.loads(openapi.rendered())
    paths = set(document["paths"])
    assert "/api/v1/progress/entries/batch" in paths
    assert "/api/v1/goals/smart-check" in paths
    assert "/api/v1/notifications/preferences" in paths
    assert "/api/v1/me/overview" in paths
    assert all(path.startswith("/api/v1/") for path in paths)


def test_the_document_is_the_same_whatever_identity_settings_the_environment_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = openapi.rendered()
    monkeypatch.setenv("ACCORD_OIDC_JWKS_URL", "http://127.0.0.1:1/jwks")
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "http://127.0.0.1:1/elsewhere")
    assert openapi.rendered() == expected
