"""`accord-<process> api`: the command that serves an HTTP API, for the gateway and (through accord.shared.cli)
every service. Imports nothing of the database or Kafka."""

from collections.abc import Callable
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI

from accord.shared.metrics_server import serve_metrics

MetricsPort = Annotated[
    int | None,
    typer.Option(help="serve Prometheus metrics (and /health, /ready) on this port, apart from the API's"),
]


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
        uvicorn.run(
            f"{module}:{create_api.__name__}",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
        )

    @app.callback()
    def _commands() -> None:
        """Keeps `api` a subcommand even where it is the only one (the gateway)."""

    return app
