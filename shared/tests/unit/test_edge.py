"""The Edge every service's API has (accord.shared.edge): whatever server runs it, the service refuses oversized or
duplicated headers, non-canonical paths and oversized bodies, accepts only plain request ids, serves no interactive
docs in production, and answers even a crash as problem+json with its security headers and request id."""

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from accord.shared.edge import Edge
from accord.shared.settings import WebSettings
from accord.shared.web import build_web_app

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class ExampleSettings(WebSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_EXAMPLE_", env_file=None, extra="ignore")
    service: ClassVar[str] = "example"


@pytest.fixture(autouse=True)
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "https://id.example")
    monkeypatch.setenv("ACCORD_OIDC_JWKS_URL", "https://id.example/jwks")
    monkeypatch.delenv("ACCORD_OIDC_JWKS", raising=False)
    monkeypatch.setenv("ACCORD_EXAMPLE_MAX_BODY_BYTES", "2048")
    yield


class Thing(BaseModel):
    name: str


def example_app() -> FastAPI:
    router = APIRouter()

    @router.post("/things")
    async def create(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @router.post("/models")
    async def create_model(body: Thing) -> dict[str, int]:
        return {"received": len(body.name)}

    @router.get("/things/{thing}")
    async def read(thing: str, request: Request) -> dict[str, str]:
        return {"thing": thing, "request_id": request.headers["x-request-id"]}

    @router.get("/context")
    async def context() -> dict[str, Any]:
        return structlog.contextvars.get_contextvars()  # what a log line written here would carry

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError("internal detail")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    return build_web_app(ExampleSettings(), [router], lifespan=lifespan, readiness={})  # type: ignore[call-arg]


@asynccontextmanager
async def client(app: FastAPI | None = None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app or example_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    assert REQUEST_ID.fullmatch(r.headers["x-request-id"])
    body: dict[str, Any] = r.json()
    return body


async def test_more_than_a_hundred_headers_or_sixteen_kib_of_them_are_refused() -> None:
    async with client() as http:
        many = await http.get("/things/1", headers={f"x-h{i}": "1" for i in range(101)})
        large = await http.get("/things/1", headers={"Authorization": "Bearer " + "a" * 17 * 1024})
        fine = await http.get("/things/1", headers={f"x-h{i}": "1" for i in range(90)})
    assert_problem(many, 431)
    assert_problem(large, 431)
    assert fine.status_code == 200


@pytest.mark.parametrize("name", ["Authorization", "Cookie", "Content-Length", "X-CSRF-Token", "Idempotency-Key"])
async def test_a_security_relevant_header_sent_twice_is_refused_naming_it(name: str) -> None:
    async with client() as http:
        r = await http.get("/things/1", headers=[(name, "1"), (name, "2")])
    assert assert_problem(r, 400)["field"] == name.lower()


@pytest.mark.parametrize(
    "path", ["/things/%2e%2e", "/things/.%2E", "/things/a%2fb", "/things/a%5Cb", "/x/%2e/things/1"]
)
async def test_a_path_that_is_not_canonical_is_refused(path: str) -> None:
    async with client() as http:
        r = await http.get(path)
    assert assert_problem(r, 400)["field"] == "path"


async def test_a_body_over_the_limit_is_refused_announced_or_streamed() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 1000

    async with client() as http:
        announced = await http.post("/things", content=b"x" * 3000)
        streamed = await http.post("/things", content=chunks())
        # FastAPI reading a model's body turns the refusal into a 400 of its own, which must not be all that is sent
        parsed = await http.post("/models", content=chunks(), headers={"Content-Type": "application/json"})
        within = await http.post("/things", content=b"x" * 2000)
    assert_problem(announced, 413)
    assert_problem(streamed, 413)
    assert_problem(parsed, 413)
    assert within.status_code == 200 and within.json() == {"received": 2000}


@pytest.mark.parametrize("swallows", [False, True], ids=["raises", "answers-its-own-way"])
async def test_an_answer_already_begun_when_the_body_goes_over_the_limit_is_ended_not_answered_twice(
    swallows: bool,
) -> None:
    """An app that starts its answer and then reads on (an event stream reading its body) cannot have that answer
    replaced by a 413: a second start would be a protocol error. Whatever it did with the refusal, nothing more goes."""

    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            while (await receive()).get("more_body"):
                pass
        except Exception:
            if not swallows:
                raise

    chunks = iter([{"type": "http.request", "body": b"x" * 1000, "more_body": True}] * 5)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(chunks)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/stream", "raw_path": b"/stream", "headers": []}
    await Edge(streaming, max_body_bytes=2048)(scope, receive, send)
    assert [m["type"] for m in sent] == ["http.response.start"] and sent[0]["status"] == 200


@pytest.mark.parametrize("given", ["y" * 129, "two words", "<id>", "a\tb"])
async def test_a_request_id_that_is_not_plain_is_replaced_with_a_fresh_one(given: str) -> None:
    async with client() as http:
        r = await http.get("/things/1", headers={"X-Request-ID": given})
        kept = await http.get("/things/1", headers={"X-Request-ID": "trace-1:a.b_c"})
    minted = r.headers["x-request-id"]
    assert minted != given and REQUEST_ID.fullmatch(minted) and r.json()["request_id"] == minted
    assert kept.headers["x-request-id"] == "trace-1:a.b_c" == kept.json()["request_id"]


async def test_what_a_request_logs_carries_its_request_id_and_the_context_before_it_is_back_afterwards() -> None:
    before = structlog.contextvars.bind_contextvars(request_id="outer", service="example")
    try:
        async with client() as http:
            sent = await http.get("/context", headers={"X-Request-ID": "req-5"})
            minted = await http.get("/context")
            refused = await http.get("/things/a%2fb", headers={"X-Request-ID": "req-6"})
        after = structlog.contextvars.get_contextvars()
    finally:
        structlog.contextvars.reset_contextvars(**before)
    assert sent.json() == {"request_id": "req-5", "service": "example"}
    assert minted.json()["request_id"] == minted.headers["x-request-id"] != "outer"
    assert refused.status_code == 400 and refused.headers["x-request-id"] == "req-6"
    assert after == {"request_id": "outer", "service": "example"}


async def test_a_crash_is_problem_json_with_the_security_headers_and_the_request_id() -> None:
    async with client() as http:
        r = await http.get("/crash", headers={"X-Request-ID": "req-9"})
    assert_problem(r, 500)
    assert r.headers["x-request-id"] == "req-9" and "internal detail" not in r.text


async def test_production_serves_no_interactive_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    async with client() as http:
        development = [(await http.get(p)).status_code for p in ("/docs", "/redoc")]
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    async with client() as http:
        production = [(await http.get(p)).status_code for p in ("/docs", "/redoc")]
        document = await http.get("/openapi.json")
    assert development == [200, 200] and production == [404, 404]
    assert document.status_code == 200  # the gateway merges it into the public document
