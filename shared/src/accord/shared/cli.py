"""The command line every service has: `accord-<service> api | worker | migrate`."""

from collections.abc import Callable, Sequence
from typing import Annotated

import typer
import uvicorn
import uvloop
from fastapi import FastAPI
from prometheus_client import start_http_server

from accord.shared import migrations
from accord.shared.runtime import BackgroundTask, Subscription, run_worker
from accord.shared.settings import ServiceSettings


def service_cli(
    settings: Callable[[], ServiceSettings],
    create_api: Callable[[], FastAPI],
    subscriptions: Callable[[], Sequence[Subscription]],
    background: Callable[[], Sequence[BackgroundTask]] = lambda: (),
) -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, add_completion=False)

    @app.command()
    def api(
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: Annotated[int, typer.Option(envvar="ACCORD_API_WORKERS", help="processes serving the API")] = 1,
    ) -> None:
        """Serve the HTTP API."""
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

    @app.command()
    def worker(
        metrics_port: Annotated[
            int | None, typer.Option(help="serve the worker's Prometheus metrics (any path, so probes too) here")
        ] = None,
        metrics_host: str = "127.0.0.1",
    ) -> None:
        """Relay the outbox and run the event consumers."""
        if metrics_port is not None:
            # Consumer lag, outbox backlog and dead letters are recorded here, not in the API: served from a daemon
            # thread that ends with the worker.
            start_http_server(metrics_port, addr=metrics_host)
        # On uvloop, as the API is under uvicorn: the worker's time goes to its event loop (Kafka fetches,
        # database round trips, timers), which uvloop runs at a fraction of asyncio's cost.
        uvloop.run(run_worker(settings(), subscriptions(), background=background()))

    @app.command()
    def migrate(revision: str = "head") -> None:
        """Apply this service's database migrations."""
        s = settings()
        migrations.upgrade(s.service, s.database_url.get_secret_value(), revision)
        typer.echo(f"{s.service}: migrated to {revision}")

    return app
