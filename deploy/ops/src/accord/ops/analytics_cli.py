"""`accord-ops analytics land`: the reference consumer for analytics teams (accord.ops.lander)."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.ops.lander import ANALYTICS_TOPIC, DEFAULT_GROUP, KafkaAccess, land

analytics_app = typer.Typer(no_args_is_help=True, help="For analytics teams: land the analytics stream as Parquet.")
console = Console()


@analytics_app.command("land")
def land_command(
    out: Annotated[Path, typer.Option(help="directory of the Parquet files: one directory per topic")],
    bootstrap: Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers")],
    topic: str = ANALYTICS_TOPIC,
    group: Annotated[str, typer.Option(help="consumer group; analytics may use only analytics-*")] = DEFAULT_GROUP,
    max_messages: Annotated[int | None, typer.Option(help="stop after landing this many")] = None,
    follow: Annotated[bool, typer.Option(help="keep landing new messages instead of stopping when caught up")] = False,
    security_protocol: Annotated[str, typer.Option(help="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")] = "PLAINTEXT",
    sasl_mechanism: Annotated[str | None, typer.Option(help="e.g. SCRAM-SHA-512")] = None,
    sasl_username: str | None = None,
    sasl_password: Annotated[str | None, typer.Option(envvar="ACCORD_ANALYTICS_KAFKA_PASSWORD")] = None,
    ssl_ca_file: Annotated[Path | None, typer.Option(help="the cluster's CA certificate (PEM)")] = None,
) -> None:
    """Consume TOPIC in a consumer group into OUT/date=YYYY-MM-DD/part-<partition>-<first>-<last>.parquet,
    exactly once, resuming where the files end."""
    access = KafkaAccess(bootstrap, security_protocol, sasl_mechanism, sasl_username, sasl_password, ssl_ca_file)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"landing {topic}", total=max_messages)

        def show(landed: int, total: int) -> None:
            bar.update(task, completed=landed, total=min(total, max_messages or total))

        result = asyncio.run(land(access, out, topic, group, max_messages, follow, show))
    console.print(f"landed {result.messages} message(s) in {len(result.files)} file(s) under {out}")
