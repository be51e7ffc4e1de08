"""Brings up (or finds) Kafka and PostgreSQL, provisions schemas, roles and topics, and runs migrations."""

import asyncio
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from accord.devtools.infra import kafka, postgres
from accord.devtools.infra.processes import alive
from accord.devtools.infra.provision import new_passwords, provision
from accord.shared import migrations
from accord.shared.kafka import ensure_topics
from accord.shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[6]
CACHE = ROOT / ".accord" / "cache" / "kafka"


@dataclass
class Infra:
    bootstrap_servers: str
    admin_url: str
    service_urls: dict[str, str] = field(default_factory=dict)
    kafka_pid: int | None = None
    postgres_data: str | None = None

    def service_env(self) -> dict[str, str]:
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}
        for service, url in self.service_urls.items():
            env[f"ACCORD_{service.upper()}_DATABASE_URL"] = url
        return env


def start_servers(home: Path) -> Infra:
    """Uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL where set; starts local servers for the rest."""
    bootstrap, admin_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    kafka_pid = pg_data = None
    if not bootstrap:
        broker = kafka.start(home / "kafka", CACHE)
        bootstrap, kafka_pid = broker.bootstrap_servers, broker.pid
    if not admin_url:
        pg = postgres.start(home / "postgres", secrets.token_urlsafe(24))
        admin_url, pg_data = pg.admin_url, str(pg.data)
    return Infra(bootstrap, admin_url, kafka_pid=kafka_pid, postgres_data=pg_data)


def prepare(infra: Infra, passwords: dict[str, str] | None = None) -> Infra:
    """Schemas, roles, topics and every service's migrations; idempotent."""
    infra.service_urls = asyncio.run(provision(infra.admin_url, passwords or new_passwords()))
    asyncio.run(ensure_topics(infra.bootstrap_servers))
    for service in SERVICES:
        migrations.upgrade(service, infra.service_urls[service])
    return infra


def stop_servers(infra: Infra) -> None:
    if infra.kafka_pid:
        from accord.devtools.infra.processes import terminate

        terminate(infra.kafka_pid)
    if infra.postgres_data:
        postgres.stop(Path(infra.postgres_data))


@contextmanager
def running(home: Path) -> Iterator[Infra]:
    infra = start_servers(home)
    try:
        yield prepare(infra)
    finally:
        stop_servers(infra)


def save(infra: Infra, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(infra), indent=2))
    path.chmod(0o600)


def load(path: Path) -> Infra | None:
    """The infrastructure a previous `up` left running, if it still is."""
    if not path.exists():
        return None
    infra = Infra(**json.loads(path.read_text()))
    if infra.kafka_pid and not alive(infra.kafka_pid):
        return None
    if infra.postgres_data and not (Path(infra.postgres_data) / "postmaster.pid").exists():
        return None
    return infra
