"""`accord-<process> api`: the command that serves an HTTP API, for the gateway and (through accord.shared.cli)
every service. Imports nothing of the database or Kafka."""

import gc
import os
import sys
from collections.abc import Callable
from typing import Annotated

import structlog
import typer
import uvicorn
from fastapi import FastAPI

from accord.shared.edge import MAX_HEADER_BYTES
from accord.shared.metrics_server import serve_metrics

H11_MAX_HEAD_BYTES = MAX_HEADER_BYTES + 8 * 1024  # the request line and the headers' framing besides

log = structlog.get_logger(__name__)

EXIT_CANNOT_START = 78  # EX_CONFIG (sysexits.h): a setting or the database refuses this process; restarting won't help

_serving: dict[str, str] = {}
"""Holds the service's name while `api` serves in this process: `cannot_start` then ends it."""


def cannot_start(reason: str) -> None:
    """The API cannot work for a reason no retry mends (a refused password, a schema newer than the code): logged,
    and, where `api` serves in this process, the process ends at once, non-zero, with the reason on stderr."""
    log.error("cannot start, and retrying would not help", reason=reason)
    if "service" in _serving:
        sys.stdout.flush()  # os._exit flushes nothing: the log lines above must not be lost
        print(f"{_serving['service']} api cannot start: {reason}", file=sys.stderr, flush=True)
        # At once, not through uvicorn's shutdown: it may still be starting (its signal handlers not yet in place),
        # and nothing is open to close (what failed was opening the database).
        os._exit(EXIT_CANNOT_START)


MetricsPort = Annotated[
    int | None,
    typer.Option(help="serve Prometheus metrics (and /health, /ready) on this port, apart from the API's"),
]


def freeze_start_up() -> None:
    """What start-up has imported (modules, their classes and functions, pydantic's schemas: about 150,000 objects in
    a service) lives as long as the process. Taken out of the garbage collector's generations (`gc.freeze`), it is
    no longer walked by every full collection while requests are served. Garbage made so far is collected first, so
    none of it is kept for good."""
    gc.collect()
    gc.freeze()


def web_cli(create_api: Callable[[], FastAPI]) -> typer.Typer:
    """`api`: serve the HTTP API."""
    app = typer.Typer(no_args_is_help=True, add_completion=False)

    @app.command()
    def api(
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: Annotated[int, typer.Option(envvar="ACCORD_API_WORKERS", help="processes serving the API")] = 1,
        metrics_port: MetricsPort = None,
        metrics_host: str = "127.0.0.1",
    ) -> None:
        """Serve the HTTP API."""
        if metrics_port is not None:
            # The metrics of this process (with --workers 1, the one that serves); never on the API's own port.
            serve_metrics(metrics_port, metrics_host)
        module = create_api.__module__
        _serving["service"] = module.split(".")[1]  # accord.<service>.bootstrap
        # With one worker (the default) uvicorn serves in this process; more are started afresh and freeze nothing.
        freeze_start_up()
        uvicorn.run(
            f"{module}:{create_api.__name__}",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
            # X-Forwarded-For is not the server's to believe (by default uvicorn believes it from 127.0.0.1): the
            # gateway reads it from its trusted proxies alone (Settings.trusted_proxies).
            proxy_headers=False,
            forwarded_allow_ips="",
            # Headers in all at most this (with the h11 parser; with httptools, uvicorn's default, the Edge's
            # check in the app is the limit: accord.shared.edge).
            h11_max_incomplete_event_size=H11_MAX_HEAD_BYTES,
        )

    @app.callback()
    def _commands() -> None:
        """Keeps `api` a subcommand even where it is the only one (the gateway)."""

    return app
