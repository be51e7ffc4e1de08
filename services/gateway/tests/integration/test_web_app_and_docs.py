"""The gateway serves the built web app at / and the API reference at /api/v1/docs, under a strict
Content-Security-Policy; the API keeps its own."""

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from gateway_harness import StandIn, gateway

pytestmark = pytest.mark.integration

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A tiny stand-in for web/dist."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-3f9a.js"></script>')
    (tmp_path / "assets" / "app-3f9a.js").write_text("console.log('app')")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Accord"}')
    return tmp_path


@pytest.fixture
async def web(
    service_env: dict[str, str], dist: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("ACCORD_GATEWAY_WEB_DIST_DIR", str(dist))
    services = {name: StandIn(name) for name in ("goals", "progress", "notifications", "reporting")}
    async with gateway(services) as client:
        yield client


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    answer = await web.get("/assets/app-3f9a.js")
    assert answer.status_code == 200 and answer.text == "console.log('app')"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["content-security-policy"] == APP_CSP


async def test_an_asset_is_sent_as_its_precompressed_copy_in_the_best_coding_the_browser_accepts(
    web: httpx.AsyncClient, dist: Path
) -> None:
    (dist / "assets" / "app-3f9a.js.br").write_bytes(b"brotli bytes")
    (dist / "assets" / "app-3f9a.js.gz").write_bytes(gzip.compress(b"console.log('app')"))
    for accept, coding, raw in (
        ("gzip, deflate, br, zstd", "br", b"brotli bytes"),  # what Chromium sends
        ("br;q=0, gzip", "gzip", (dist / "assets" / "app-3f9a.js.gz").read_bytes()),
        ("identity", None, b"console.log('app')"),
    ):
        async with web.stream("GET", "/assets/app-3f9a.js", headers={"Accept-Encoding": accept}) as answer:
            body = b"".join([chunk async for chunk in answer.aiter_raw()])
        assert answer.status_code == 200 and body == raw, accept
        assert answer.headers.get("content-encoding") == coding, accept
        assert "javascript" in answer.headers["content-type"], accept
        assert "Accept-Encoding" in answer.headers["vary"], accept
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable", accept
        assert answer.headers["content-security-policy"] == APP_CSP, accept


async def test_a_compressed_copy_and_the_plain_file_have_their_own_etags(web: httpx.AsyncClient, dist: Path) -> None:
    (dist / "assets" / "app-3f9a.js.br").write_bytes(b"brotli bytes, a different length")
    brotli = await web.get("/assets/app-3f9a.js", headers={"Accept-Encoding": "br"})
    plain = await web.get("/assets/app-3f9a.js", headers={"Accept-Encoding": "identity"})
    assert brotli.headers["etag"] != plain.headers["etag"]
    again = await web.get(
        "/assets/app-3f9a.js", headers={"Accept-Encoding": "br", "If-None-Match": brotli.headers["etag"]}
    )
    assert again.status_code == 304


async def test_every_page_of_the_app_is_index_html_and_never_cached(web: httpx.AsyncClient) -> None:
    for path in ("/", "/goals/5", "/inbox", "/checkins"):
        answer = await web.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
        assert answer.status_code == 200 and "app-3f9a.js" in answer.text, path
        assert answer.headers["cache-control"] == "no-cache"
        assert answer.headers["content-security-policy"] == APP_CSP
        assert answer.headers["x-frame-options"] == "DENY"


async def test_the_root_is_the_app_whatever_the_client_accepts(web: httpx.AsyncClient) -> None:
    answer = await web.get("/", headers={"Accept": "*/*"})  # curl, a link checker, a health probe
    assert answer.status_code == 200 and "app-3f9a.js" in answer.text
    assert answer.headers["cache-control"] == "no-cache"


async def test_the_service_worker_and_manifest_are_never_cached(web: httpx.AsyncClient) -> None:
    for path in ("/sw.js", "/manifest.webmanifest"):
        answer = await web.get(path)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache", path


async def test_a_missing_asset_or_a_non_page_request_is_a_404_problem_not_the_app(web: httpx.AsyncClient) -> None:
    for path, accept in (("/assets/gone-1234.js", "text/html"), ("/goals/5", "application/json")):
        answer = await web.get(path, headers={"Accept": accept})
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json", path


async def test_api_and_auth_paths_never_get_the_app(web: httpx.AsyncClient) -> None:
    for path in ("/api/v2/goals", "/auth/nothing-here", "/api"):
        answer = await web.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 404 and "app-3f9a.js" not in answer.text, path
    api = await web.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_the_api_reference_is_swagger_ui_served_here_with_no_inline_script(web: httpx.AsyncClient) -> None:
    page = await web.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == APP_CSP
    html = page.text
    assert "<script>" not in html and "http" not in html.replace("http-equiv", "")  # no inline script, no CDN
    for asset in ("/api/v1/docs/swagger-ui.css", "/api/v1/docs/swagger-ui-bundle.js", "/api/v1/docs/docs.js"):
        assert asset in html
        answer = await web.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 100, asset
        assert answer.headers["content-security-policy"] == APP_CSP
    assert "/api/v1/openapi.json" in (await web.get("/api/v1/docs/docs.js")).text
