"""A process's Prometheus metrics on a port of its own (never the one the public reaches through the gateway),
with /health and /ready beside them for the worker's probes: served from a daemon thread that ends with the process."""

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

Failing = Callable[[], dict[str, str]]
"""What does not answer just now (dependency -> why); empty when everything does."""


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes and scrapes are not worth a log line each."""


def metrics_app(failing: Failing = dict) -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/health":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/ready":
            down = failing()
            if down:
                body = {"type": "about:blank", "title": "Not ready", "status": 503, "failing": down}
                return _json(start_response, "503 Service Unavailable", body, "application/problem+json")
            return _json(start_response, "200 OK", {"status": "ready"})
        return metrics(environ, start_response)  # type: ignore[no-any-return]

    return app


def _json(
    start_response: Callable[..., Any], status: str, body: dict[str, Any], kind: str = "application/json"
) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(payload)))])
    return [payload]


def serve_metrics(port: int, host: str = "127.0.0.1", failing: Failing = dict) -> Callable[[], None]:
    """Starts serving; returns what stops it."""
    server = make_server(host, port, metrics_app(failing), ThreadingWSGIServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics").start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
