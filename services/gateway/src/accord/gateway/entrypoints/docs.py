"""GET /api/v1/docs: the public API reference, Swagger UI rendering /api/v1/openapi.json.

Swagger UI comes from the `swagger-ui-bundle-v2` package (its 5.x line reads OpenAPI 3.1), served from here, never a
CDN, under the web app's Content-Security-Policy. Its stock page starts itself with an inline script, which that
policy forbids, so the page and its start-up script are our own files (docs_assets/)."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from swagger_ui_bundle import swagger_ui_path

PREFIX = "/api/v1/docs"
OWN = Path(__file__).parent / "docs_assets"
VENDOR = Path(str(swagger_ui_path))
ASSETS = {
    "swagger-ui.css": VENDOR / "swagger-ui.css",
    "swagger-ui-bundle.js": VENDOR / "swagger-ui-bundle.js",
    "favicon-32x32.png": VENDOR / "favicon-32x32.png",
    "docs.js": OWN / "docs.js",
}
# Not content-hashed names: a day in the cache, revalidated after, so an upgrade shows within a day.
ASSET_CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


def _csp(request: Request) -> str:
    csp: str = request.app.state.web_csp
    return csp


def _asset_route(path: Path) -> None:
    async def asset(request: Request) -> Response:
        return FileResponse(path, headers={"Cache-Control": ASSET_CACHE, "Content-Security-Policy": _csp(request)})

    router.add_api_route(f"{PREFIX}/{path.name}", asset, methods=["GET"])


for _file in ASSETS.values():
    _asset_route(_file)


@router.get(PREFIX)
async def docs(request: Request) -> Response:
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": _csp(request)}
    return FileResponse(OWN / "docs.html", media_type="text/html", headers=headers)
