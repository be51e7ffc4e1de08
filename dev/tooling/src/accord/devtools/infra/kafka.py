"""A single-node KRaft Apache Kafka 4.x broker from Maven Central jars, run with the machine's java."""

import asyncio
import base64
import logging
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from accord.devtools.infra import tls
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import terminate
from accord.shared.kafka import security_options

POM = Path(__file__).resolve().parents[6] / "deploy" / "local" / "kafka" / "pom.xml"

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
"""

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
# Topics come from the registry in accord.shared, never from auto-create defaults.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
"""


# Appended for a secured broker: SCRAM-SHA-512 over TLS on the only client listener, StandardAuthorizer with
# nothing allowed but what ACLs grant; the broker talks to itself as the admin super user. The controller listener is
# TLS with a client certificate required (KRaft cannot authenticate SCRAM there: the credentials live in the metadata
# the controller serves): only the broker, presenting its own certificate (principal CN=localhost), reaches it. A
# plaintext controller listener would make anyone on the machine a super user, able to change ACLs through it.
SECURE_PROPERTIES = """\
listeners=SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL_SSL://127.0.0.1:{port}
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
listener.name.controller.ssl.client.auth=required
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
org.apache.kafka.common.security.scram.ScramLoginModule required username="{admin}" password="{admin_password}";
ssl.keystore.type=PEM
ssl.keystore.location={keystore}
ssl.truststore.type=PEM
ssl.truststore.location={ca_file}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin};User:CN={controller_principal}
"""

ADMIN_USER = "accord-admin"
BROKER_NAME = "localhost"  # its certificate's subject: the principal its controller listener lets in


@dataclass(frozen=True)
class KafkaSecurity:
    """A secured broker's credentials: who may connect with which password, and the CA its certificate chains to."""

    ca_file: Path
    passwords: dict[str, str]  # principal -> SCRAM-SHA-512 password; ADMIN_USER is the super user

    def client(self, user: str) -> dict[str, Any]:
        return security_options("SASL_SSL", user, self.passwords[user], self.ca_file)


@dataclass(frozen=True)
class KafkaProcess:
    pid: int
    port: int
    controller_port: int
    security: KafkaSecurity | None = None

    def admin_options(self) -> dict[str, Any]:
        return self.security.client(ADMIN_USER) if self.security else {}

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"


def fetch_jars(cache: Path) -> Path:
    """Copies the broker's jars from Maven Central into `cache` once; later calls reuse them."""
    libs = cache / "libs"
    if (libs / ".complete").exists():
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise RuntimeError("Kafka needs Java 17+ and Maven on PATH (Debian: default-jdk-headless maven)")
    libs.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
        ],
        check=True,
    )
    (libs / ".complete").touch()
    return libs


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def start(
    home: Path, cache: Path, timeout: float = 90.0, port: int | None = None, users: Iterable[str] | None = None
) -> KafkaProcess:
    """Formats fresh storage under `home` and starts a broker (on `port`, else a free one); returns once it answers
    a metadata request. With `users`, the broker is secured (SASL_SSL, SCRAM-SHA-512, StandardAuthorizer, a CA made
    for it under `home`): each user and an admin super user get a random password, created at format time."""
    libs = fetch_jars(cache)
    home.mkdir(parents=True, exist_ok=True)
    port, controller_port = port or free_port(), free_port()
    data = home / "data"
    shutil.rmtree(data, ignore_errors=True)
    properties = SERVER_PROPERTIES.format(port=port, controller_port=controller_port, data=data)
    security, scram = None, []
    if users is not None:
        security = _secure(home)
        security.passwords.update({u: secrets.token_urlsafe(18) for u in users})
        server = tls.issue(home / "tls", BROKER_NAME)
        keystore = home / "tls" / "server.pem"
        keystore.write_text(server.key_file.read_text() + server.cert_file.read_text())
        keystore.chmod(0o600)
        properties += SECURE_PROPERTIES.format(
            port=port,
            controller_port=controller_port,
            admin=ADMIN_USER,
            admin_password=security.passwords[ADMIN_USER],
            keystore=keystore,
            ca_file=server.ca_file,
            controller_principal=BROKER_NAME,
        )
        security = KafkaSecurity(server.ca_file, security.passwords)
        for user, password in security.passwords.items():
            scram += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]"]
    (home / "server.properties").write_text(properties)
    (home / "log4j2.properties").write_text(LOG4J2.format(log=home / "kafka.log"))
    java = _java(home, libs)
    subprocess.run(
        [
            *java,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "--ignore-formatted",
            # "=" form: a random id may start with "-" and would otherwise be read as an option.
            f"--cluster-id={_cluster_id()}",
            "-c",
            str(home / "server.properties"),
            *scram,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _launch(home, java, port, controller_port, timeout, security)


def _secure(home: Path) -> KafkaSecurity:
    return KafkaSecurity(home / "tls" / "ca.crt", {ADMIN_USER: secrets.token_urlsafe(18)})


def start_again(
    home: Path, cache: Path, timeout: float = 90.0, security: "KafkaSecurity | None" = None
) -> KafkaProcess:
    """Starts a broker that start() made under `home` and that has stopped (or been killed) since: same ports, same
    data, nothing formatted. A secured broker needs the `security` start() returned (its passwords are nowhere on
    disk but in its metadata, where they are hashed)."""
    properties = (home / "server.properties").read_text()
    listener = "SASL_SSL" if "listeners=SASL_SSL://" in properties else "PLAINTEXT"
    if listener == "SASL_SSL" and security is None:
        raise ValueError(f"the broker under {home} is secured: start it again with the security start() returned")
    port = int(properties.split(f"listeners={listener}://127.0.0.1:")[1].split(",")[0])
    controller_port = int(properties.split("controller.quorum.bootstrap.servers=127.0.0.1:")[1].split()[0])
    return _launch(home, _java(home, fetch_jars(cache)), port, controller_port, timeout, security)


def _java(home: Path, libs: Path) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        "-XX:TieredStopAtLevel=1",
        f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
        "-cp",
        f"{libs}/*",
    ]


def _launch(
    home: Path,
    java: list[str],
    port: int,
    controller_port: int,
    timeout: float,
    security: KafkaSecurity | None = None,
) -> KafkaProcess:
    with open(home / "stdout.log", "ab") as out:
        proc = subprocess.Popen(
            [*java, "kafka.Kafka", str(home / "server.properties")],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    kafka = KafkaProcess(pid=proc.pid, port=port, controller_port=controller_port, security=security)
    try:
        asyncio.run(wait_until_ready(kafka.bootstrap_servers, timeout, proc, kafka.admin_options()))
    except BaseException:
        terminate(kafka.pid)
        raise
    return kafka


async def wait_until_ready(
    bootstrap: str,
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
    security: dict[str, Any] | None = None,
) -> None:
    """Ready means the broker answers a metadata request with itself in it, not merely an open port."""
    deadline = time.monotonic() + timeout
    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # "connection refused" is expected while it starts
    try:
        await _poll_until_ready(bootstrap, deadline, proc, security or {})
    finally:
        quiet.setLevel(level)


async def _poll_until_ready(
    bootstrap: str, deadline: float, proc: subprocess.Popen[bytes] | None, security: dict[str, Any]
) -> None:
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Kafka exited with code {proc.returncode}; see its kafka.log")
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **security)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if cluster.get("brokers"):
                return
        except Exception as exc:  # the broker is still starting: any error means "not yet"
            last_error = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.3)
    raise TimeoutError(f"Kafka at {bootstrap} did not answer a metadata request in time: {last_error}")
