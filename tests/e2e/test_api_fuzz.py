"""Schemathesis against the gateway's public OpenAPI document, with valid tokens: no 5xx, and every answer as the
document describes it."""

from typing import Any
from uuid import uuid4

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accord.shared.testing import TokenFactory

pytestmark = pytest.mark.integration
PERSON = uuid4()


def test_the_public_api_never_fails_and_keeps_to_its_document(gateway: str, tokens: TokenFactory) -> None:
    schema = schemathesis.openapi.from_url(f"{gateway}/api/v1/openapi.json", wait_for_schema=30)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # every service's document made it into the gateway's
    for operation in operations:
        try:
            exercise(operation, gateway, tokens)()
        except Exception as failure:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {str(failure)[:600]}")
    assert not failures, "\n\n".join(failures)


def exercise(operation: Any, gateway: str, tokens: TokenFactory) -> Any:
    creates_episode = operation.method.upper() == "POST" and operation.path == "/api/v1/episodes"
    headers = tokens.bearer(PERSON, ["therapist" if creates_episode else "client"], "tenant-fuzz")

    @given(case=operation.as_strategy())
    @settings(
        max_examples=5,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=gateway,
            headers=headers,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    return run
