"""Brings up (or finds) Kafka and PostgreSQL, provisions schemas, roles and topics, and runs migrations."""

import asyncio
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from accord.devtools.infra import kafka, postgres
from accord.devtools.infra.kafka_acls import apply_published_acls
from accord.devtools.infra.processes import Started, running_with, stop
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.published.acls import OPERATOR_USER, service_user, users
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
    kafka_passwords: dict[str, str] = field(default_factory=dict)
    """A secured broker's principals and their passwords (empty: a plaintext broker)."""
    kafka_ca_file: str | None = None

    @property
    def secured(self) -> bool:
        return bool(self.kafka_passwords)

    @property
    def kafka_security(self) -> kafka.KafkaSecurity | None:
        if not self.secured:
            return None
        return kafka.KafkaSecurity(Path(self.kafka_ca_file or ""), self.kafka_passwords)

    def kafka_admin_options(self) -> dict[str, Any]:
        return self.kafka_security.client(kafka.ADMIN_USER) if self.kafka_security else {}

    @property
    def kafka(self) -> Started | None:
        if self.kafka_pid is None or self.kafka_started_at is None:
            return None
        return Started(self.kafka_pid, self.kafka_started_at)

    def service_env(self) -> dict[str, str]:
        """Every service's settings for these servers; on a secured broker each service's own principal, and the
        operator's for `accord-ops` (KAFKA_SASL_*, which no service reads)."""
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}
        for service, url in self.service_urls.items():
            env[f"ACCORD_{service.upper()}_DATABASE_URL"] = url
        if self.secured:
            env |= {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_CA_FILE": self.kafka_ca_file or ""}
            for service in self.service_urls:
                env[f"ACCORD_{service.upper()}_KAFKA_USERNAME"] = service_user(service)
                env[f"ACCORD_{service.upper()}_KAFKA_PASSWORD"] = self.kafka_passwords[service_user(service)]
            env |= {"KAFKA_SASL_USERNAME": OPERATOR_USER, "KAFKA_SASL_PASSWORD": self.kafka_passwords[OPERATOR_USER]}
        return env


def start_servers(home: Path, secured: bool = False) -> Infra:
    """Uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL where set; starts local servers for the rest. `secured`: the
    local broker takes SASL_SSL only, with a principal and password for each service, the operator and analytics."""
    bootstrap, admin_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    infra = Infra(bootstrap or "", admin_url or "")
    if not bootstrap:
        broker = kafka.start(home / "kafka", CACHE, users=list(users()) if secured else None)
        infra.bootstrap_servers, infra.kafka_home = broker.bootstrap_servers, str(home / "kafka")
        infra.kafka_pid, infra.kafka_started_at = broker.pid, Started.of(broker.pid).started_at
        if broker.security is not None:
            infra.kafka_passwords, infra.kafka_ca_file = broker.security.passwords, str(broker.security.ca_file)
    if not admin_url:
        pg = postgres.start(home / "postgres", secrets.token_urlsafe(24))
        infra.admin_url, infra.postgres_data = pg.admin_url, str(pg.data)
    return infra


def prepare(infra: Infra, passwords: dict[str, str] | None = None) -> Infra:
    """Schemas, roles, topics and every service's migrations; idempotent."""
    infra.service_urls = asyncio.run(provision(infra.admin_url, passwords or new_passwords()))
    if infra.kafka_security is not None:
        apply_published_acls(infra.bootstrap_servers, infra.kafka_security)  # an ACL that exists is left as it is
    asyncio.run(ensure_topics(infra.bootstrap_servers, security=infra.kafka_admin_options()))
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
