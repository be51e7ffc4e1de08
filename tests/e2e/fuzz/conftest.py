"""The fuzz suite's fixtures: the gateway's public OpenAPI document (every service's, merged) and a raw client."""

import pytest
import schemathesis

# schemathesis imports its OpenAPI loader on first use, and pytest rewrites a plugin's modules as they are imported
# (ast.parse). Imported here, at collection, before any test has run: once earlier tests had run, the import failed
# in CI with CPython 3.11's "AST constructor recursion depth mismatch" (python/cpython#106905), which masks an error
# inside ast construction.
import schemathesis.specs.openapi.schemas
from fuzz_cast import Cast
from fuzz_wire import Wire
from schemathesis.schemas import BaseSchema

from accord.devtools.testing import TokenFactory


@pytest.fixture(scope="module")
def public_api(gateway: str) -> BaseSchema:
    schema = schemathesis.openapi.from_url(f"{gateway}/api/v1/openapi.json", wait_for_schema=30)
    assert "x-missing-services" not in schema.raw_schema["info"], "a service's document is missing"
    return schema


@pytest.fixture
def wire(gateway: str) -> Wire:
    return Wire(gateway)


@pytest.fixture
def cast(tokens: TokenFactory) -> Cast:
    return Cast(tokens)
