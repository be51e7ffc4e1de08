"""The command line every service has: `accord-<service> api | worker | migrate` (the gateway has only `api`:
accord.shared.web_cli)."""

import sys
from collections.abc import Callable, Sequence

import typer
import uvloop
from fastapi import FastAPI

from accord.shared import migrations
from accord.shared.metrics_server import serve_metrics
from accord.shared.runtime import BackgroundTask, DependencyWatch, Subscription, run_worker
from accord.shared.settings import ServiceSettings
from accord.shared.waiting import CannotStart
from accord.shared.web_cli import EXIT_CANNOT_START, MetricsPort, freeze_start_up, web_cli


def service_cli(
    settings: Callable[[], ServiceSettings],
    create_api: Callable[[], FastAPI],
    subscriptions: Callable[[], Sequence[Subscription]],
    background: Callable[[], Sequence[BackgroundTask]] = lambda: (),
) -> typer.Typer:
    app = web_cli(create_api)

    @app.command()
    def worker(metrics_port: MetricsPort = None, metrics_host: str = "127.0.0.1") -> None:
        """Relay the outbox and run the event consumers."""
        watch = DependencyWatch()
        if metrics_port is not None:
            # Consumer lag, outbox backlog and dead letters are recorded here, not in the API; /ready answers
            # whether the worker's database and Kafka do.
            serve_metrics(metrics_port, metrics_host, failing=watch)
        # On uvloop, as the API is under uvicorn: the worker's time goes to its event loop (Kafka fetches,
        # database round trips, timers), which uvloop runs at a fraction of asyncio's cost.
        s = settings()
        freeze_start_up()
        try:
            uvloop.run(run_worker(s, subscriptions(), background=background(), watch=watch))
        except CannotStart as refused:
            # As the API does (web_cli.cannot_start): a supervisor restarting this process would only be refused
            # again, so it ends with EX_CONFIG, which scripts/up's supervisor reads as "do not restart".
            print(f"{s.service} worker cannot start: {refused}", file=sys.stderr, flush=True)
            raise SystemExit(EXIT_CANNOT_START) from None

    @app.command()
    def migrate(revision: str = "head") -> None:
        """Apply this service's database migrations."""
        s = settings()
        migrations.upgrade(s.service, s.database_url.get_secret_value(), revision)
        typer.echo(f"{s.service}: migrated to {revision}")

    return app
