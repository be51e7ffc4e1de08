"""The campaign's own Kafka (secured, as in production: SASL_SSL, a principal per service, the registry's ACLs)
and PostgreSQL, which it kills and starts again; nobody else's servers are touched."""

import secrets
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import psutil

from accord.devtools.infra import kafka, postgres, stack
from accord.devtools.infra.processes import Started
from accord.devtools.infra.stack import CACHE
from accord.devtools.published.acls import users


@dataclass
class Servers:
    home: Path
    infra: stack.Infra
    broker: kafka.KafkaProcess

    @property
    def accord_url(self) -> str:
        """The superuser on the services' database: for writing nothing, only counting what they did."""
        return self.infra.admin_url.rsplit("/", 1)[0] + "/accord"

    def kill_broker(self) -> None:
        proc = psutil.Process(self.broker.pid)
        proc.kill()
        proc.wait(30)

    def start_broker_again(self) -> None:
        self.broker = kafka.start_again(self.home / "kafka", CACHE, security=self.broker.security)
        self.infra.kafka_pid, self.infra.kafka_started_at = self.broker.pid, Started.of(self.broker.pid).started_at

    def crash_database(self) -> None:
        postgres.stop(Path(self.infra.postgres_data or ""), "immediate")

    def start_database_again(self) -> None:
        postgres.start_again(Path(self.infra.postgres_data or ""))

    async def terminate_backends(self) -> int:
        """Ends every other session on the services' database, as a failover or an administrator would."""
        conn = await asyncpg.connect(self.accord_url, timeout=10)
        try:
            ended = await conn.fetchval(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'accord' AND pid <> pg_backend_pid()) AS t"
            )
            return int(ended or 0)
        finally:
            await conn.close()

    def stop(self) -> list[str]:
        return stack.stop_servers(self.infra)


def start(home: Path) -> Servers:
    """Blocking (it runs its own event loops): call it in a thread from async code."""
    broker = kafka.start(home / "kafka", CACHE, users=list(users()))
    assert broker.security is not None
    infra = stack.Infra(
        broker.bootstrap_servers,
        "",
        kafka_pid=broker.pid,
        kafka_started_at=Started.of(broker.pid).started_at,
        kafka_home=str(home / "kafka"),
        kafka_passwords=broker.security.passwords,
        kafka_ca_file=str(broker.security.ca_file),
    )
    servers = Servers(home, infra, broker)
    try:
        database = postgres.start(home / "postgres", secrets.token_urlsafe(24))
        infra.admin_url, infra.postgres_data = database.admin_url, str(database.data)
        stack.prepare(infra)
    except BaseException:
        servers.stop()
        raise
    return servers
