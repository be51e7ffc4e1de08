"""One OpenAPI document for the public API, built from the services' own documents (fetched and cached)."""

import copy
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from accord.gateway.adapters.upstreams import UpstreamFailed, Upstreams
from accord.gateway.domain.routes import owner_of
from accord.shared.services import SERVICES

router = APIRouter(include_in_schema=False)
CACHE_SECONDS = 60.0


def merge(gateway_doc: dict[str, Any], documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each service's paths under /api/v1, their schemas beside each other (renamed on a clash), one security
    scheme (the bearer access token) for every operation."""
    doc = copy.deepcopy(gateway_doc)
    doc["info"] = {"title": "Accord public API", "version": "v1"}
    paths, schemas = dict(doc.get("paths", {})), dict(doc.get("components", {}).get("schemas", {}))
    for service, document in sorted(documents.items()):
        renames = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            target = name if schemas.get(name, schema) == schema else f"{service}_{name}"
            renames[name], schemas[target] = target, schema
        for path, item in _renamed(document.get("paths", {}), renames).items():
            if owner_of(path) == service:
                paths[f"/api/v1{path}"] = item
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["security"] = [{"bearer": []}]
    doc["paths"] = paths
    doc["components"] = {
        "schemas": _renamed(schemas, {}),
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    }
    return doc


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if "$ref" in value and isinstance(value["$ref"], str):
            name = value["$ref"].rsplit("/", 1)[-1]
            return {**value, "$ref": f"#/components/schemas/{renames.get(name, name)}"}
        return {k: _renamed(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    return value


@router.get("/api/v1/openapi.json")
async def public_openapi(request: Request) -> dict[str, Any]:
    state = request.app.state
    cached = getattr(state, "openapi_cache", None)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return dict(cached[1])
    upstreams: Upstreams = state.upstreams
    documents, missing = {}, []
    for service in SERVICES:
        try:
            answer = await upstreams.send(service, "GET", "/openapi.json", headers={})
            documents[service] = answer.json()
        except (UpstreamFailed, ValueError):
            missing.append(service)
    app: FastAPI = request.app
    doc = merge(app.openapi(), documents)
    if missing:
        doc["info"]["x-missing-services"] = missing  # a partial document is not cached
    else:
        state.openapi_cache = (time.monotonic(), doc)
    return doc
