"""A service's worker with its Prometheus metrics served on a port of its own.

The worker (outbox relay, consumers, the service's background tasks) is where consumer lag, outbox backlog and
dead letters are recorded, but `accord-<service> worker` serves no HTTP, so Prometheus could not scrape it and a
probe could not reach it. This starts the metrics server (every path answers with the metrics, so /health and
/ready answer while the process serves) and then runs the service's own `worker` command unchanged, whatever
that service's worker does. Drop it once accord.shared's worker serves metrics itself.
"""

import importlib

from prometheus_client import start_http_server

WORKER_METRICS_PORT = 9100


def run(service: str, host: str, port: int) -> None:
    cli = importlib.import_module(f"accord.{service}.entrypoints.cli").app
    start_http_server(port, addr=host)  # a daemon thread; ends with the worker
    cli(args=["worker"], prog_name=f"accord-{service}")
