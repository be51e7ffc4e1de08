"""`accord-devtools`: development-only commands. The token server is what docker-compose and the dev Kubernetes
overlay run as their identity provider (dev/tooling/Dockerfile), never a production image."""

import os
from pathlib import Path

import typer

from accord.devtools.infra.demo_users import DEMO_TENANT, DEMO_USERS
from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.stack import ROOT

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Accord's development tooling.")
LOCAL_KEYS = ROOT / ".accord" / "local"  # where scripts/up keeps the development identity's keys


@app.command()
def token(
    user: str = typer.Argument(help="a demo person: " + ", ".join(DEMO_USERS)),
    keys: Path = typer.Option(LOCAL_KEYS, help="the development identity's keys (scripts/up's by default)"),
    lifetime: int = typer.Option(3600, min=60, max=12 * 3600),
) -> None:
    """Print an access token for a demo person, which the services of the local stack accept."""
    person = DEMO_USERS.get(user)
    if person is None:
        raise typer.BadParameter(f"no demo person {user!r}: {', '.join(DEMO_USERS)}", param_hint="USER")
    provider = DevIdentityProvider.load_or_create(keys)
    typer.echo(provider.token(person.sub, person.roles, DEMO_TENANT, teams=person.teams, lifetime=lifetime))


@app.command("identity-server")
def identity_server(host: str = "0.0.0.0", port: int = 8080, keys: Path = Path("/data")) -> None:  # noqa: S104
    """Serve the development identity (JWKS and demo tokens) over HTTP. Refuses to run in production."""
    import uvicorn

    from accord.devtools.identity_server import create_identity_app

    environment = os.environ.get("ACCORD_ENVIRONMENT", "development")
    uvicorn.run(create_identity_app(keys, environment), host=host, port=port, log_level="warning")


@app.command("kafka-tls")
def kafka_tls(
    tls: Path = typer.Option(Path("/tls"), help="the broker's side: ca.crt and server.pem (its key and certificate)"),
    ca: Path = typer.Option(Path("/ca"), help="the clients' side: ca.crt alone"),
    name: str = typer.Option("kafka", help="the broker's host name, which clients verify"),
) -> None:
    """docker-compose's broker certificate, from a CA made for local use; kept while it has a week left, so a broker
    already running and the services trusting its CA stay in step across `compose up`."""
    import datetime

    from cryptography import x509

    from accord.devtools.infra import tls as local_ca

    keystore = tls / "server.pem"
    if keystore.exists() and (ca / "ca.crt").exists():
        expires = x509.load_pem_x509_certificate(keystore.read_bytes()).not_valid_after_utc
        if expires - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=7):
            typer.echo(f"keeping the broker certificate (valid until {expires:%Y-%m-%d})")
            return
    issued = local_ca.issue(tls, name)
    keystore.write_text(issued.key_file.read_text() + issued.cert_file.read_text())
    keystore.chmod(0o644)  # read by the broker image's own user; the volume is the broker's alone
    issued.key_file.unlink()
    ca.mkdir(parents=True, exist_ok=True)
    (ca / "ca.crt").write_bytes(issued.ca_file.read_bytes())
    typer.echo(f"issued a certificate for {name}")
