"""`accord-ops`: the operator's command line. Kafka and database addresses come from the same environment
variables the services read (KAFKA_BOOTSTRAP_SERVERS, ACCORD_<SERVICE>_DATABASE_URL).

Not here yet: rebuilding the reporting projections and seeding demo data. Neither accord.reporting nor any
other package offers a function for them today; each becomes a command calling that function when it exists.
"""

import asyncio
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.ops import deadletters, lag, manifests, topics
from accord.ops.analytics_cli import analytics_app
from accord.ops.migrate import migrate_services
from accord.shared.events.registry import dead_letter_topic
from accord.shared.services import SERVICES

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Operate Accord: topics, migrations, dead letters, lag."
)
topics_app = typer.Typer(no_args_is_help=True, help="Create and verify the registry's topics.")
dlq_app = typer.Typer(no_args_is_help=True, help="List and replay dead letters.")
k8s_app = typer.Typer(no_args_is_help=True, help="Kubernetes manifests generated from code.")
app.add_typer(topics_app, name="topics")
app.add_typer(dlq_app, name="dlq")
app.add_typer(k8s_app, name="k8s")
app.add_typer(analytics_app, name="analytics")
console = Console()

K8S_ROOT = Path(__file__).resolve().parents[4] / "k8s"  # deploy/k8s in a checkout

Bootstrap = Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers")]
Service = Annotated[str, typer.Argument(help="the consuming service: " + ", ".join(SERVICES))]
DlqTopic = Annotated[str | None, typer.Option(help="dead-letter topic, if not accord.<service>.dlq.v1")]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@topics_app.command("create")
def topics_create(bootstrap: Bootstrap, replication_factor: int = 1) -> None:
    """Create the registry's missing topics (existing ones are checked, never altered)."""
    with console.status("Creating topics…"):
        created = asyncio.run(topics.create_topics(bootstrap, replication_factor))
    console.print(f"created {len(created)} topic(s): {', '.join(created) or 'none missing'}")


@topics_app.command("verify")
def topics_verify(
    bootstrap: Bootstrap,
    min_insync_replicas: Annotated[int | None, typer.Option(help="also require this (production: 2)")] = None,
) -> None:
    """Compare the broker's topics with the registry; exit 1 on any difference."""
    with console.status("Describing topics…"):
        drifts = asyncio.run(topics.verify_topics(bootstrap, min_insync_replicas=min_insync_replicas))
    if not drifts:
        console.print("every topic matches the registry")
        return
    table = Table("topic", "setting", "registry", "broker")
    for d in drifts:
        table.add_row(d.topic, d.setting, d.expected, d.actual)
    console.print(table)
    raise typer.Exit(1)


@app.command()
def migrate(
    service: Annotated[list[str] | None, typer.Option(help="only these (default: every service)")] = None,
    revision: str = "head",
) -> None:
    """Apply each service's database migrations as that service's own role."""
    chosen = service or list(SERVICES)
    with _progress() as progress:
        task = progress.add_task("migrating", total=len(chosen))
        migrate_services(chosen, revision=revision, on_done=lambda s: progress.update(task, advance=1))
    console.print(f"migrated to {revision}: {', '.join(chosen)}")


@app.command()
def setup(bootstrap: Bootstrap, replication_factor: int = 1) -> None:
    """The one-shot step before the services start: topics, then every service's migrations."""
    topics_create(bootstrap, replication_factor)
    migrate(None, "head")


@dlq_app.command("list")
def dlq_list(service: Service, bootstrap: Bootstrap, topic: DlqTopic = None, limit: int = 100) -> None:
    """Show a service's dead letters: where each came from, why it failed, and whether it was replayed."""
    found = asyncio.run(
        deadletters.list_dead_letters(
            bootstrap, topic or dead_letter_topic(service), deadletters.replay_group(service), limit
        )
    )
    table = Table("offset", "original", "event type", "failed at", "reason", "replayed")
    for d in found:
        origin = f"{d.original_topic}[{d.header('dlq.original_partition')}]@{d.header('dlq.original_offset')}"
        reason = (d.header("dlq.reason") or "")[:80]
        table.add_row(
            f"{d.partition}:{d.offset}", origin, d.event_type or "?", d.header("dlq.failed_at") or "", reason,
            "yes" if d.replayed else "no",
        )  # fmt: skip
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(service: Service, bootstrap: Bootstrap, topic: DlqTopic = None) -> None:
    """After the cause is fixed: send every dead letter not yet replayed back to its original topic."""
    dlq, group = topic or dead_letter_topic(service), deadletters.replay_group(service)
    total = asyncio.run(deadletters.pending_count(bootstrap, dlq, group))
    with _progress() as progress:
        task = progress.add_task(f"replaying {dlq}", total=total)
        result = asyncio.run(
            deadletters.replay(bootstrap, dlq, group, on_progress=lambda n: progress.update(task, advance=n))
        )
    for original, count in sorted(result.by_topic.items()):
        console.print(f"replayed {count} to {original}")
    console.print(f"replayed {result.replayed} dead letter(s)")
    for skipped in result.skipped:
        console.print(f"[red]skipped {skipped.partition}:{skipped.offset}: no dlq.original_topic header[/]")


@app.command("lag")
def consumer_lag(
    bootstrap: Bootstrap,
    service: Annotated[list[str] | None, typer.Option(help="only these (default: every consuming service)")] = None,
    partitions: Annotated[bool, typer.Option(help="one row per partition")] = False,
) -> None:
    """Show how far each service's consumer group is behind, per topic (or per partition)."""
    rows = asyncio.run(lag.service_lag(bootstrap, service or SERVICES))
    table = Table("service", "topic", "partition", "lag")
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        if partitions:
            committed = "never committed" if row.committed is None else ""
            table.add_row(row.group, row.topic, f"{row.partition} {committed}".strip(), str(row.lag))
        totals[(row.group, row.topic)] = totals.get((row.group, row.topic), 0) + row.lag
    if not partitions:
        for (group, topic), total in sorted(totals.items()):
            table.add_row(group, topic, "all", str(total))
    console.print(table)


@k8s_app.command("generate")
def k8s_generate(
    root: Path = K8S_ROOT, check: Annotated[bool, typer.Option(help="only report stale files")] = False
) -> None:
    """Write the generated workloads and KafkaTopics under deploy/k8s/base."""
    stale = manifests.stale_files(root) if check else manifests.write_generated(root)
    for path in stale:
        console.print(f"{'stale' if check else 'wrote'}: {path}")
    if check and stale:
        raise typer.Exit(1)


@app.command("dev-env")
def dev_env() -> None:
    """Print fresh secrets for docker-compose, e.g. `accord-ops dev-env > .accord/compose.env` (git-ignored)."""
    console.print(f"POSTGRES_PASSWORD={secrets.token_urlsafe(24)}", soft_wrap=True)
    for service in SERVICES:
        console.print(f"ACCORD_{service.upper()}_DB_PASSWORD={secrets.token_urlsafe(24)}", soft_wrap=True)
    # Kafka: each service's principal, the operator's (the setup step), analytics' and the broker's own admin.
    for principal in [*SERVICES, "operator", "analytics"]:
        console.print(f"ACCORD_{principal.upper()}_KAFKA_PASSWORD={secrets.token_urlsafe(24)}", soft_wrap=True)
    console.print(f"KAFKA_ADMIN_PASSWORD={secrets.token_urlsafe(24)}", soft_wrap=True)
    # The gateway's OIDC client secret: register it at the identity provider for the client the gateway signs in as.
    console.print(f"ACCORD_GATEWAY_LOGIN_CLIENT_SECRET={secrets.token_urlsafe(32)}", soft_wrap=True)


@app.command()
def check() -> None:
    """Check that compose, the rendered Kubernetes overlays, the services' settings, the topic registry and the
    dashboards agree (schemas are checked by the test suite, tests/deploy)."""
    import json

    import yaml

    from accord.ops import consistency, render

    problems = consistency.check_compose(render.load_compose())
    for overlay in render.OVERLAYS:
        problems += consistency.check_kubernetes(render.render(render.K8S / "overlays" / overlay), overlay == "prod")
    observability = render.DEPLOY / "observability"
    dashboard = json.loads((observability / "grafana" / "accord-overview.json").read_text())
    problems += consistency.check_queries(consistency.dashboard_queries(dashboard))
    problems += consistency.check_alert_rules(
        yaml.safe_load((observability / "prometheus" / "alerts.yaml").read_text())
    )
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    if problems:
        raise typer.Exit(1)
    console.print("compose, Kubernetes, settings, topics and dashboards agree")
