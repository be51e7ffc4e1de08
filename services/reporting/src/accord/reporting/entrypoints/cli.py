import asyncio

import typer

from accord.reporting.adapters.rebuild import rebuild
from accord.reporting.bootstrap import background, create_api, settings, subscriptions
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.shared.cli import service_cli
from accord.shared.logging import configure_logging

app = service_cli(settings, create_api, subscriptions, background)


@app.command(name="rebuild")
def rebuild_command(progress: bool = typer.Option(True, help="show a progress bar")) -> None:
    """Rebuild every projection from the goals, progress and notifications topics, from the beginning."""
    s = settings()
    configure_logging(s.service, s.log_level, s.log_json)
    result = asyncio.run(rebuild(s, CONSUMED_TOPICS, show_progress=progress))
    typer.echo(
        f"rebuilt from {result.events:,} events ({result.projected:,} projected, {result.undecodable:,} undecodable, "
        f"{result.expired:,} of expired episodes passed over) "
        f"in {result.seconds:.1f}s: {result.per_second:,.0f} events/s"
    )
    if not result.group_caught_up:
        typer.echo("the worker is running and behind, so its consumer group was left where it is: it will re-read")
        typer.echo("events the rebuild already applied, which adds nothing (projection rows are keyed by fact ids)")


if __name__ == "__main__":
    app()
