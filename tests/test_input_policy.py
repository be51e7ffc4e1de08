"""Every request body of every service follows the shared input policy (accord.shared.inputs): read from the
OpenAPI documents the services publish, so that a new field typed without the policy fails here, not in production."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from accord.goals.bootstrap import create_api as goals_api
from accord.notifications.bootstrap import create_api as notifications_api
from accord.progress.bootstrap import create_api as progress_api
from accord.shared.events.contracts.common import Measure, MilestoneSpec
from accord.shared.inputs import RequestModel

pytestmark = pytest.mark.integration
SERVICES = [goals_api, progress_api, notifications_api]  # reporting takes no bodies; the gateway forwards them
# Event contracts that travel in requests: their numbers are the shared Score (finite, strict), checked below.
CONTRACTS_IN_REQUESTS = {Measure, MilestoneSpec}


def request_schemas(app: FastAPI) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(where, property schema, component schemas) for every property of every request body, nested ones too."""
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()

    def walk(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from walk(components[name], name)
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                yield from walk(option, where)
        if "items" in schema:
            yield from walk(schema["items"], where + "[]")
        for name, prop in schema.get("properties", {}).items():
            yield f"{where}.{name}", prop, components
            yield from walk(prop, f"{where}.{name}")

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                yield from walk(body, f"{method.upper()} {path}")


def string_options(prop: dict[str, Any]) -> list[dict[str, Any]]:
    options = prop.get("anyOf", [prop])
    return [o for o in options if o.get("type") == "string"]


@pytest.mark.parametrize("create_api", SERVICES)
def test_every_free_string_in_a_request_body_refuses_control_characters(
    service_env: dict[str, str], create_api: Any
) -> None:
    strings = [(where, option) for where, prop, _ in request_schemas(create_api()) for option in string_options(prop)]
    assert strings, "no strings found in request bodies: the walk is broken"
    unguarded = [where for where, option in strings if not ({"pattern", "format", "enum", "const"} & option.keys())]
    assert unguarded == []


def request_models(app: FastAPI) -> Iterator[type[BaseModel]]:
    def walk(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
        yield model
        for field in model.model_fields.values():
            for arg in _types_in(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    yield from walk(arg)

    def routes(of: list[Any]) -> Iterator[Any]:
        for route in of:
            yield route
            if (included := getattr(route, "original_router", None)) is not None:  # FastAPI's included routers
                yield from routes(included.routes)

    for route in routes(app.routes):
        dependant = getattr(route, "dependant", None)
        for body in dependant.body_params if dependant is not None else []:
            for arg in _types_in(body.field_info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    yield from walk(arg)


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _types_in(arg)


@pytest.mark.parametrize("create_api", SERVICES)
def test_every_request_body_model_refuses_nan_and_infinity(service_env: dict[str, str], create_api: Any) -> None:
    models = set(request_models(create_api()))
    assert models, "no request bodies found: the walk is broken"
    loose = [m.__name__ for m in models if m not in CONTRACTS_IN_REQUESTS and not issubclass(m, RequestModel)]
    assert loose == []
