"""A subject access export as one zip file: the gateway fetches each service's part with the caller's own token
(the services authorize and audit), and answers only when every part is ready and the export is the caller's."""

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from aiohttp import web
from gateway_harness import StandIn, gateway

from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration
SAM, SOMEONE_ELSE, EXPORT = uuid4(), uuid4(), uuid4()
SERVICES = ("goals", "progress", "notifications", "reporting")
BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": []}


class ExportService(StandIn):
    """A service holding its part of Sam's export (a planted value per service); the goals service also answers
    the export's status, `ready` as the test sets it. Anyone but Sam gets a 404, as from the real services."""

    ready = True

    def __init__(self, name: str, owner_token: str) -> None:
        super().__init__(name)
        self.owner_token = owner_token

    def part(self) -> dict[str, Any]:
        if self.name == "reporting":
            return {"fhir_bundle": BUNDLE, "access_log": [{"planted": "reporting-7"}]}
        return {"planted": f"{self.name}-7"}

    async def answer(self, request: web.Request) -> web.StreamResponse:
        await super().answer(request)  # recorded in `seen`
        if request.headers.get("Authorization") != self.owner_token:
            return web.json_response({"title": "Not found"}, status=404)
        if request.path == f"/goals/exports/{EXPORT}":
            parts = [{"service": s, "href": f"/api/v1/{s}/exports/{EXPORT}/part"} for s in SERVICES]
            status = {"ready": self.ready, "parts_ready": 4 if self.ready else 2, "parts_expected": 4}
            return web.json_response({**status, "requested_at": "2026-11-29T00:10:00Z", "parts": parts})
        if request.path == f"/{self.name}/exports/{EXPORT}/part":
            return web.json_response(self.part())
        return web.json_response({"title": "Not found"}, status=404)


@pytest.fixture
def sams(tokens: TokenFactory) -> dict[str, str]:
    return tokens.bearer(SAM, ["client"], "tenant-a")


@pytest.fixture
def services(sams: dict[str, str]) -> Iterator[dict[str, StandIn]]:
    yield {name: ExportService(name, sams["Authorization"]) for name in SERVICES}


def part_requests(services: dict[str, StandIn]) -> list[str]:
    return [seen.path for s in services.values() for seen in s.seen if seen.path.endswith("/part")]


async def test_the_archive_holds_every_services_part_and_the_fhir_bundle_fetched_with_the_callers_own_token(
    service_env: dict[str, str], sams: dict[str, str], services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", params={"export_id": str(EXPORT)}, headers=sams)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="accord-export-2026-11-29.zip"'
    assert r.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(archive.namelist())
    assert names == {"README.txt", "fhir-bundle.json", *(f"{s}.json" for s in SERVICES)}
    for service in SERVICES:
        assert json.loads(archive.read(f"{service}.json")) == services[service].part()  # type: ignore[attr-defined]
    assert json.loads(archive.read("fhir-bundle.json")) == BUNDLE
    assert sorted(part_requests(services)) == sorted(f"/{s}/exports/{EXPORT}/part" for s in SERVICES)
    # Each service is told the part is for the archive, so that its audit log tells the two apart.
    parts_asked = [seen for s in services.values() for seen in s.seen if seen.path.endswith("/part")]
    assert {seen.query for seen in parts_asked} == {b"in_archive=true"}


async def test_someone_else_gets_not_found_and_no_part_is_fetched_for_them(
    service_env: dict[str, str], tokens: TokenFactory, services: dict[str, StandIn]
) -> None:
    other = tokens.bearer(SOMEONE_ELSE, ["client"], "tenant-a")
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", params={"export_id": str(EXPORT)}, headers=other)

    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "export_id"
    assert part_requests(services) == []


async def test_an_export_still_being_assembled_is_refused_with_how_far_it_has_got(
    service_env: dict[str, str], sams: dict[str, str], services: dict[str, StandIn]
) -> None:
    services["goals"].ready = False  # type: ignore[attr-defined]
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", params={"export_id": str(EXPORT)}, headers=sams)

    assert r.status_code == 409
    assert r.json()["field"] == "export_id" and "2 of 4" in r.json()["detail"]
    assert part_requests(services) == []


async def test_without_credentials_the_archive_is_refused(
    service_env: dict[str, str], services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", params={"export_id": str(EXPORT)})

    assert r.status_code == 401
    assert [seen for s in services.values() for seen in s.seen] == []


async def test_an_export_id_that_is_not_an_id_is_refused_naming_the_field(
    service_env: dict[str, str], sams: dict[str, str], services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", params={"export_id": "../goals"}, headers=sams)

    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert "export_id" in r.text
    assert [seen for s in services.values() for seen in s.seen] == []


async def test_a_bad_token_is_refused_before_the_export_id_is_looked_at(
    service_env: dict[str, str], services: dict[str, StandIn]
) -> None:
    async with gateway(services) as gw:
        r = await gw.get("/api/v1/exports/archive", headers={"Authorization": "Bearer not-a-token"})

    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
