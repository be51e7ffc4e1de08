"""Local development stack: `up` starts everything, `down` stops it, `status` says what runs where.

uv run python scripts/dev.py up
"""

import json
import socket
from pathlib import Path

import seed_demo
import typer
from rich.console import Console
from rich.table import Table

from accord.devtools.infra import services, stack, supervisor
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.processes import Started, stop

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".accord" / "local"
STATE = HOME / "infra.json"
PIDS = HOME / "pids"
ENV_FILE = HOME / "services.env"
LOGS = HOME / "logs"
SUPERVISOR = HOME / "supervisor.json"
GATEWAY_PORT = 8080

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()


@app.command()
def up() -> None:
    """Start Kafka (SASL_SSL: each service its own principal, ACLs from the topic registry), PostgreSQL, migrations,
    topics and every service's API and worker."""
    with console.status("Starting Kafka and PostgreSQL…"):
        infra = stack.load(STATE)
        if infra is None:
            infra = stack.start_servers(HOME / "servers", secured=True)
        stack.prepare(infra)
        stack.save(infra, STATE)
    identity = DevIdentityProvider.load_or_create(HOME)
    service_env = {**infra.service_env(), **identity.env()}
    env_lines = [f"{k}='{v}'" for k, v in service_env.items()]
    ENV_FILE.write_text("\n".join(env_lines) + "\n")
    ENV_FILE.chmod(0o600)
    _stop_services()
    PIDS.mkdir(parents=True, exist_ok=True)
    with console.status("Starting every service and the gateway…"):
        running = services.start_all(
            service_env,
            LOGS,
            gateway_port=GATEWAY_PORT if _port_free(GATEWAY_PORT) else None,
            identity=identity,
            worker_niceness=services.WORKER_NICENESS,
        )
    (PIDS / "all").write_text(" ".join(str(Started.of(pid)) for pid in running.pids))
    # Watches them from now on: one that dies is started again (with backoff) and logged in supervisor.log.
    (PIDS / "0-supervisor").write_text(str(supervisor.launch(running.programs, HOME, LOGS / "supervisor.log")))
    urls = running.urls
    table = Table("service", "API", "logs")
    for service, url in urls.items():
        table.add_row(service, f"{url}/ready", f"{LOGS}/{service}-{{api,worker}}.log")
    console.print(table)
    gateway = urls["gateway"]
    seed_demo.seed(gateway, identity)
    console.print(f"""
[bold]Accord is running.[/]
  Web app: [bold]{gateway}/[/]
     (sign in as sam, alex, jo or priya on the development provider's page: {running.dev_idp})
  Public API (through the gateway): [bold]{gateway}/api/v1[/]   OpenAPI: {gateway}/api/v1/openapi.json
     reference: {gateway}/api/v1/docs
  Demo tokens: TOKEN=$(uv run accord-devtools token sam)
     (users: sam - client, alex - therapist, jo - parent, priya - supervisor)
  Try: curl -s {gateway}/api/v1/me/overview -H "Authorization: Bearer $TOKEN"
  E-mail sent by the notifications service: {LOGS / "mail.log"}
  Each process is restarted if it dies (see {LOGS / "supervisor.log"}); what runs: [bold]scripts/status[/]
  Kafka: {infra.bootstrap_servers}   PostgreSQL: {_hide(infra.admin_url)}   Service settings: {ENV_FILE}
  Stop everything with: [bold]scripts/down[/]""")


@app.command()
def down() -> None:
    """Stop every service, then Kafka and PostgreSQL; says what could not be stopped, if anything."""
    problems = _stop_services()
    if STATE.exists():
        # Not stack.load: that forgets servers whose recorded process is gone, and one restarted by hand still runs.
        problems += stack.stop_servers(stack.Infra(**json.loads(STATE.read_text())))
    if problems:
        for problem in problems:
            console.print(f"[red]Not stopped:[/] {problem}")
        raise typer.Exit(1)
    STATE.unlink(missing_ok=True)
    console.print("Accord is stopped.")


@app.command()
def status() -> None:
    """What runs, and where."""
    infra = stack.load(STATE)
    console.print(f"infrastructure: {'running at ' + infra.bootstrap_servers if infra else 'stopped'}")
    watching = supervisor.supervisor_running(SUPERVISOR)
    console.print(f"supervisor: {f'running, pid {watching.pid}' if watching else 'not running'}; logs in {LOGS}")
    table = Table("process", "state", "pid", "restarts", "ready", "address", "last exit")
    for row in supervisor.status(SUPERVISOR):
        state = "up" if row.up else "down"
        table.add_row(
            row.name,
            state,
            str(row.pid or ""),
            str(row.restarts),
            "ready" if row.ready else "not ready",
            row.address,
            row.last_exit,
        )
    console.print(table)
    if orphans := supervisor.unwatched(SUPERVISOR):
        console.print(
            f"[red]the supervisor is gone: {len(orphans)} processes run unwatched, and none is started again if it "
            "dies; `scripts/down` then `scripts/up` to watch them again[/]"
        )
        raise typer.Exit(1)


def _stop_services() -> list[str]:
    """Stops the recorded service processes that still run (never a process that took over a recorded id); goes on
    past one that cannot be stopped and returns what could not."""
    problems = []
    # Sorted: the supervisor's record (0-supervisor) first, so that it restarts nothing being stopped; it stops
    # the processes it started again itself, and the rest are stopped by their records.
    for pidfile in sorted(PIDS.glob("*")) if PIDS.exists() else []:
        for record in reversed(pidfile.read_text().split()):
            started = Started.parse(record)
            if started is None:
                problems.append(f"process {record}: recorded without its start time, so not signalled")
                continue
            try:
                # The supervisor stops what it watches before it exits: it gets longer.
                stop(started, timeout=60 if pidfile.name == "0-supervisor" else 15)
            except Exception as exc:
                problems.append(f"process {started.pid}: {exc}")
        pidfile.unlink()
    return problems


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _hide(url: str) -> str:
    return url.split("@")[-1]


if __name__ == "__main__":
    app()
