"""Every request gets an id and continues the caller's W3C trace, so the events it writes to the outbox carry it."""

import httpx
from opentelemetry import propagate
from starlette.types import Receive, Scope, Send

from accord.shared.web import RequestContext

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class WritesAnEvent:
    """Stands for an endpoint: what the outbox would stamp on an event written now."""

    def __init__(self) -> None:
        self.stamped: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        self.stamped.append(carrier)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def call(app: RequestContext, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http:
        return await http.post("/things", headers=headers)


async def test_an_event_written_during_a_request_continues_the_callers_trace() -> None:
    endpoint = WritesAnEvent()
    app = RequestContext(endpoint, service="test")
    r = await call(app, {"traceparent": CALLER, "X-Request-ID": "req-7"})
    assert r.status_code == 204 and r.headers["x-request-id"] == "req-7"
    [stamped] = endpoint.stamped
    assert stamped["traceparent"].split("-")[1] == CALLER.split("-")[1]


async def test_a_request_without_an_id_is_given_a_fresh_one() -> None:
    app = RequestContext(WritesAnEvent(), service="test")
    first, second = await call(app, {}), await call(app, {})
    assert first.status_code == 204 and len(first.headers["x-request-id"]) == 36
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
