"""Local development stack: `up` starts everything, `down` stops it, `status` says what runs where.

uv run python scripts/dev.py up
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import seed_demo
import typer
from rich.console import Console
from rich.table import Table

from accord.shared.devinfra import stack
from accord.shared.devinfra.identity import DevIdentityProvider
from accord.shared.devinfra.ports import free_port
from accord.shared.devinfra.processes import alive, terminate
from accord.shared.devinfra.provision import SERVICES

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".accord" / "local"
STATE = HOME / "infra.json"
PIDS = HOME / "pids"
ENV_FILE = HOME / "services.env"
LOGS = HOME / "logs"
GATEWAY_PORT = 8080

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()


@app.command()
def up() -> None:
    """Start Kafka, PostgreSQL, migrations, topics and every service's API and worker."""
    with console.status("Starting Kafka and PostgreSQL…"):
        infra = stack.load(STATE)
        if infra is None:
            infra = stack.start_servers(HOME / "servers")
        stack.prepare(infra)
        stack.save(infra, STATE)
    identity = DevIdentityProvider.load_or_create(HOME)
    service_env = {**infra.service_env(), **identity.env()}
    env_lines = [f"{k}='{v}'" for k, v in service_env.items()]
    ENV_FILE.write_text("\n".join(env_lines) + "\n")
    ENV_FILE.chmod(0o600)
    _stop_services()
    LOGS.mkdir(parents=True, exist_ok=True)
    PIDS.mkdir(parents=True, exist_ok=True)
    smtp_port = free_port()
    mail = _spawn(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Debugging"],
        dict(os.environ),
        LOGS / "mail.log",
    )
    (PIDS / "mail").write_text(f"{mail.pid} {mail.pid} {smtp_port}")
    env = {
        **os.environ,
        **service_env,
        "ACCORD_ENVIRONMENT": "development",
        "ACCORD_LOG_JSON": "true",
        "ACCORD_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
    }
    urls = {}
    table = Table("service", "API", "logs")
    for service in SERVICES:
        if service == "gateway":
            env |= {f"ACCORD_GATEWAY_{s.upper()}_URL": url for s, url in urls.items()}
            env["ACCORD_GATEWAY_DEV_IDENTITY_PROVIDER"] = "true"
        port = GATEWAY_PORT if service == "gateway" and _port_free(GATEWAY_PORT) else free_port()
        api = _spawn([f"accord-{service}", "api", "--port", str(port)], env, LOGS / f"{service}-api.log")
        worker = _spawn([f"accord-{service}", "worker"], env, LOGS / f"{service}-worker.log")
        (PIDS / service).write_text(f"{api.pid} {worker.pid} {port}")
        _wait_ready(service, port)
        urls[service] = f"http://127.0.0.1:{port}"
        table.add_row(service, f"{urls[service]}/ready", f"{LOGS}/{service}-{{api,worker}}.log")
    console.print(table)
    gateway = urls["gateway"]
    seed_demo.seed(gateway)
    console.print(f"""
[bold]Accord is running.[/]
  Public API (through the gateway): [bold]{gateway}/api/v1[/]   OpenAPI: {gateway}/api/v1/openapi.json
  Demo tokens: curl -s -X POST {gateway}/dev-idp/token -H 'content-type: application/json' -d '{{"user":"sam"}}'
     (users: sam - client, alex - therapist, jo - parent, priya - supervisor; see {gateway}/dev-idp/users)
  Try: curl -s {gateway}/api/v1/me/overview -H "Authorization: Bearer $TOKEN"
  E-mail sent by the notifications service: {LOGS / "mail.log"}
  Kafka: {infra.bootstrap_servers}   PostgreSQL: {_hide(infra.admin_url)}   Service settings: {ENV_FILE}
  Stop everything with: [bold]scripts/down[/]""")


@app.command()
def down() -> None:
    """Stop every service, then Kafka and PostgreSQL."""
    _stop_services()
    infra = stack.load(STATE)
    if infra is not None:
        stack.stop_servers(infra)
    STATE.unlink(missing_ok=True)
    console.print("Accord is stopped.")


@app.command()
def status() -> None:
    """What runs, and where."""
    infra = stack.load(STATE)
    console.print(f"infrastructure: {'running at ' + infra.bootstrap_servers if infra else 'stopped'}")
    for pidfile in sorted(PIDS.glob("*")) if PIDS.exists() else []:
        api, worker, port = pidfile.read_text().split()
        state = "running" if alive(int(api)) and alive(int(worker)) else "stopped"
        console.print(f"{pidfile.name}: {state} (API on port {port})")


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_ready(service: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    console.print(f"[red]{service} did not become ready; see {LOGS / (service + '-api.log')}[/]")
    sys.exit(1)


def _stop_services() -> None:
    for pidfile in PIDS.glob("*") if PIDS.exists() else []:
        for pid in pidfile.read_text().split()[:2]:
            terminate(int(pid), timeout=15)
        pidfile.unlink()


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _hide(url: str) -> str:
    return url.split("@")[-1]


if __name__ == "__main__":
    app()
