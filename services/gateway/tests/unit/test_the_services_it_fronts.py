"""The gateway fronts exactly the services of accord.shared.services: the list is stated there once."""

import pytest

from accord.gateway.domain.routes import OWNERS
from accord.gateway.settings import Settings
from accord.shared.services import SERVICES


def test_the_public_api_is_routed_to_every_service_and_to_nothing_else() -> None:
    assert set(OWNERS.values()) == set(SERVICES)


def test_each_service_is_reached_at_the_address_of_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "https://id.accord.test")
    monkeypatch.setenv("ACCORD_OIDC_JWKS_URL", "https://id.accord.test/jwks")
    monkeypatch.delenv("ACCORD_OIDC_JWKS", raising=False)
    for service in SERVICES:
        monkeypatch.setenv(f"ACCORD_GATEWAY_{service.upper()}_URL", f"http://{service}.upstream.test")

    # Not the local stack's services.env (scripts/up writes one): the variables above alone.
    assert Settings(_env_file=None).upstream_urls() == {
        service: f"http://{service}.upstream.test" for service in SERVICES
    }
