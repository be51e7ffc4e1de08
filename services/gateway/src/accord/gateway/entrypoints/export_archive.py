"""GET /api/v1/exports/archive?export_id=: a subject access export as one file to keep. The gateway fetches every
service's part with the caller's own credentials (each service authorizes its own part as for a part downloaded
alone, and audits it as `download in archive`) and writes them into one zip: a JSON file per service and the FHIR
bundle beside them."""

import asyncio
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from accord.gateway.adapters.upstreams import UpstreamFailed, Upstreams
from accord.gateway.entrypoints.proxy import admitted
from accord.shared.auth import Principal
from accord.shared.problems import Problem

router = APIRouter(tags=["exports"])
# Each service audits a part it serves for the archive as `download in archive`, not as a part downloaded alone.
ARCHIVED = "?in_archive=true"
PREFIX = "/api/v1"

README = """Everything Accord holds about you, as it was when you asked for it.

- goals.json: your care episodes, your goals with every version and every agreement, who can see them.
- progress.json: your entries and notes, check-ins and journal, questionnaires, sessions and your feedback.
- notifications.json: the messages sent to you, where they went, and your settings.
- reporting.json: the access log (who looked at your information, and when) and the FHIR bundle.
- fhir-bundle.json: your goals and questionnaire results in FHIR R4, for another health system to read.

Keep this file somewhere safe: it is your health information.
"""


async def _get(upstreams: Upstreams, headers: Mapping[str, str], service: str, path: str) -> bytes:
    try:
        answer = await upstreams.send(service, "GET", path, headers=headers)
    except UpstreamFailed as failure:
        raise Problem(
            failure.status, "Service unavailable", f"{service} could not be reached", service=service
        ) from None
    if answer.status == 404:
        raise Problem(404, "Not found", "No such export", field="export_id")
    if answer.status != 200:
        raise Problem(502, "Bad gateway", f"{service} answered {answer.status}", service=service)
    return answer.body


def _fhir_bundle(part: Any) -> Any | None:
    """The FHIR bundle in a part, at its top or one level down (reporting keeps it beside the access log)."""
    if not isinstance(part, dict):
        return None
    if "fhir_bundle" in part:
        return part["fhir_bundle"]
    return next((v["fhir_bundle"] for v in part.values() if isinstance(v, dict) and "fhir_bundle" in v), None)


def archive_of(parts: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for service, body in parts.items():
            archive.writestr(f"{service}.json", body)
            if (bundle := _fhir_bundle(json.loads(body))) is not None:
                archive.writestr("fhir-bundle.json", json.dumps(bundle, indent=2, ensure_ascii=False))
    return buffer.getvalue()


@router.get(
    f"{PREFIX}/exports/archive",
    summary="A subject access export as one zip file (a JSON file per service and the FHIR bundle)",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}},
        404: {"description": "no such export for you"},
        409: {"description": "not every part is ready yet"},
    },
)
async def export_archive(
    request: Request, _caller: Annotated[Principal, Depends(admitted)], export_id: UUID
) -> Response:
    # The caller as a dependency: FastAPI runs it before validating the query, so a bad token is refused with 401
    # whatever else is wrong with the request, as on every other operation.
    upstreams: Upstreams = request.app.state.upstreams
    headers = request.headers
    status = json.loads(await _get(upstreams, headers, "goals", f"/goals/exports/{quote(str(export_id), safe='')}"))
    if not status["ready"]:
        detail = f"{status['parts_ready']} of {status['parts_expected']} parts are ready; try again shortly"
        raise Problem(409, "Not ready yet", detail, field="export_id")
    parts = status["parts"]
    bodies = await asyncio.gather(
        *(_get(upstreams, headers, p["service"], p["href"].removeprefix(PREFIX) + ARCHIVED) for p in parts)
    )
    day = str(status["requested_at"])[:10]
    return Response(
        archive_of({p["service"]: body for p, body in zip(parts, bodies, strict=True)}),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="accord-export-{day}.zip"',
            "Cache-Control": "no-store",
        },
    )
