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
from accord.devtools.infra.processes import Started, running_with, stop
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
    kafka_started_at: float | None = None  # with kafka_pid, tells the broker from a later process given its id
    kafka_home: str | None = None  # its server.properties is on the broker's command line, even one restarted by hand
    postgres_data: str | None = None

    @property
    def kafka(self) -> Started | None:
        if self.kafka_pid is None or self.kafka_started_at is None:
            return None
        return Started(self.kafka_pid, self.kafka_started_at)

    def service_env(self) -> dict[str, str]:
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}
        for service, url in self.service_urls.items():
            env[f"ACCORD_{service.upper()}_DATABASE_URL"] = url
        return env


def start_servers(home: Path) -> Infra:
    """Uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL where set; starts local servers for the rest."""
    bootstrap, admin_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    infra = Infra(bootstrap or "", admin_url or "")
    if not bootstrap:
        broker = kafka.start(home / "kafka", CACHE)
        infra.bootstrap_servers, infra.kafka_home = broker.bootstrap_servers, str(home / "kafka")
        infra.kafka_pid, infra.kafka_started_at = broker.pid, Started.of(broker.pid).started_at
    if not admin_url:
        pg = postgres.start(home / "postgres", secrets.token_urlsafe(24))
        infra.admin_url, infra.postgres_data = pg.admin_url, str(pg.data)
    return infra


def prepare(infra: Infra, passwords: dict[str, str] | None = None) -> Infra:
    """Schemas, roles, topics and every service's migrations; idempotent."""
    infra.service_urls = asyncio.run(provision(infra.admin_url, passwords or new_passwords()))
    asyncio.run(ensure_topics(infra.bootstrap_servers))
    for service in SERVICES:
        migrations.upgrade(service, infra.service_urls[service])
    return infra


def stop_servers(infra: Infra) -> list[str]:
    """Stops the broker and the database it started; each is tried even when the other fails.

    Returns what could not be stopped (empty when everything is). A recorded broker id whose process has exited
    is never signalled; the broker is then found by its configuration on a command line, as after a restart by hand.
    """
    problems = []
    try:
        _stop_kafka(infra)
    except Exception as exc:
        problems.append(f"Kafka: {exc}")
    if infra.postgres_data:
        try:
            postgres.stop(Path(infra.postgres_data))
        except Exception as exc:
            problems.append(f"PostgreSQL: {exc}")
    return problems


def _stop_kafka(infra: Infra) -> None:
    brokers = [infra.kafka] if infra.kafka and infra.kafka.process() else []
    if not brokers and infra.kafka_home:
        brokers = running_with("kafka.Kafka", str(Path(infra.kafka_home) / "server.properties"))
    for broker in brokers:
        stop(broker)


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
    if infra.kafka_pid and not (infra.kafka and infra.kafka.process()):
        return None  # exited, or recorded without a start time and so not to be trusted
    if infra.postgres_data and not postgres.postmaster_running(Path(infra.postgres_data)):
        return None
    return infra
