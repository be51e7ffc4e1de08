"""Two stand-ins for bench/gateway_overhead.py, run as their own processes.

`standin`: a service that answers every request at once with a fixed progress answer (~10 KB of JSON).
`bare_proxy`: the least a Python proxy on the gateway's stack can do (uvicorn, aiohttp, one pooled session; no
authentication, limits, headers, logs or metrics): the floor the gateway's own cost is read against.
`bare_proxy_httpcore`: the same with httpcore's connection pool (what httpx sends through) in place of aiohttp, to
learn whether another upstream client would cost the gateway less per request.
"""

import os
import sys
from typing import Any

import aiohttp
import httpcore
from aiohttp import web

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:1")
ANSWER = (
    b'{"goal_id":"00000000-0000-4000-8000-000000000000","goal_version":1,"status":"active","series":['
    + b",".join(
        b'{"entry_id":"00000000-0000-4000-8000-%012d","value":%d,"occurred_at":"2026-11-27T08:00:00Z"}' % (i, i % 10)
        for i in range(100)
    )
    + b"]}"
)


async def _answer(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=ANSWER, content_type="application/json")


def standin(port: int) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _answer)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


_session: aiohttp.ClientSession | None = None


async def bare_proxy(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _session
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await receive()
    assert _session is not None
    async with _session.request(scope["method"], UPSTREAM + scope["path"]) as answer:
        body = await answer.read()
    await send(
        {"type": "http.response.start", "status": answer.status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})


_pool: httpcore.AsyncConnectionPool | None = None


async def bare_proxy_httpcore(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _pool = httpcore.AsyncConnectionPool(max_connections=100)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await receive()
    assert _pool is not None
    answer = await _pool.request(scope["method"], UPSTREAM + scope["path"])  # read in full
    await send(
        {"type": "http.response.start", "status": answer.status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": answer.content})


if __name__ == "__main__":
    standin(int(sys.argv[1]))
