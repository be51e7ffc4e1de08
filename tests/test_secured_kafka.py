"""The secured local broker (SASL_SSL with SCRAM-SHA-512 on a CA made for it, KRaft's StandardAuthorizer and the
published ACLs) lets each service's principal do what the topic registry says and nothing else, and refuses a
wrong password and a plaintext client. On a broker of the test's own, so the session's is left alone."""

import asyncio
import os
import secrets
import socket
import ssl
import struct
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from accord.devtools.infra import kafka, postgres, stack, tls
from accord.devtools.infra.kafka_acls import apply_published_acls
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.provision import new_passwords, provision
from accord.devtools.infra.stack import CACHE
from accord.devtools.published.acls import OPERATOR_USER, users
from accord.devtools.testing import eventually, goal_paused
from accord.goals.settings import Settings as GoalsSettings
from accord.ops import deadletters, lag, topics
from accord.ops.deadletters import replay_group
from accord.shared import migrations
from accord.shared.events.registry import dead_letter_topic
from accord.shared.kafka import client_options, ensure_topics, new_producer, security_options

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kafka.KafkaProcess]:
    broker = kafka.start(tmp_path_factory.mktemp("secured") / "kafka", CACHE, users=list(users()))
    try:
        apply_published_acls(broker.bootstrap_servers, broker.security)
        asyncio.run(ensure_topics(broker.bootstrap_servers, security=broker.admin_options()))
        yield broker
    finally:
        terminate(broker.pid)


def _as(broker: kafka.KafkaProcess, user: str) -> dict[str, Any]:
    assert broker.security is not None
    return broker.security.client(user)


@pytest.fixture
async def goals_producer(secured: kafka.KafkaProcess) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(secured.bootstrap_servers, "accord-goals", _as(secured, "accord-goals"))
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def _read_one(broker: kafka.KafkaProcess, user: str, topic: str, group: str) -> bytes | None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **_as(broker, user),
    )
    try:
        await consumer.start()
        batch = await consumer.getmany(timeout_ms=15_000, max_records=1)
        return next((record.value for records in batch.values() for record in records), None)
    finally:
        await consumer.stop()


async def test_a_service_principal_writes_its_own_topic_and_its_subscriber_reads_it(
    secured: kafka.KafkaProcess, goals_producer: AIOKafkaProducer
) -> None:
    await goals_producer.send_and_wait("accord.goals.v1", b"agreed", key=b"client")

    assert await _read_one(secured, "accord-progress", "accord.goals.v1", "progress") == b"agreed"


async def test_a_producer_writing_another_services_topic_is_refused_by_the_broker(
    goals_producer: AIOKafkaProducer,
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await goals_producer.send_and_wait("accord.progress.v1", b"not mine", key=b"client")


async def test_a_consumer_reading_a_topic_it_does_not_subscribe_to_is_refused(secured: kafka.KafkaProcess) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _read_one(secured, "accord-progress", "accord.notifications.v1", "progress")


async def test_a_consumer_in_another_services_group_is_refused(secured: kafka.KafkaProcess) -> None:
    with pytest.raises(GroupAuthorizationFailedError):
        await _read_one(secured, "accord-progress", "accord.goals.v1", "notifications")


async def test_the_analytics_principal_reading_a_domain_topic_is_refused(secured: kafka.KafkaProcess) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _read_one(secured, "analytics", "accord.goals.v1", "analytics-lander")


async def test_the_operator_lists_dead_letters_and_lag_and_checks_topics_but_cannot_read_a_domain_topic(
    secured: kafka.KafkaProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert secured.security is not None
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", OPERATOR_USER)
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", secured.security.passwords[OPERATOR_USER])
    monkeypatch.setenv("KAFKA_SSL_CA_FILE", str(secured.security.ca_file))
    bootstrap = secured.bootstrap_servers
    letters = await deadletters.list_dead_letters(bootstrap, dead_letter_topic("goals"), replay_group("goals"))
    lags = await lag.service_lag(bootstrap, ["progress"])
    drifts = await topics.verify_topics(bootstrap)
    assert letters == []
    assert {row.topic for row in lags} >= {"accord.goals.v1"}
    assert drifts == []
    with pytest.raises(TopicAuthorizationFailedError):
        await _read_one(secured, OPERATOR_USER, "accord.goals.v1", "accord-ops-peek")


async def test_the_local_stacks_service_settings_connect_each_service_as_its_own_principal(
    secured: kafka.KafkaProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert secured.security is not None
    infra = stack.Infra(
        secured.bootstrap_servers,
        admin_url="",
        service_urls={"goals": "postgresql://accord_goals:not-used-here@127.0.0.1/accord"},
        kafka_passwords=secured.security.passwords,
        kafka_ca_file=str(secured.security.ca_file),
    )
    env = infra.service_env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "http://idp.invalid")
    monkeypatch.setenv("ACCORD_OIDC_JWKS", '{"keys": []}')
    settings = GoalsSettings()
    assert settings.kafka_username == "accord-goals"
    producer = new_producer(settings.kafka_bootstrap_servers, "accord-goals", client_options(settings))
    await producer.start()
    try:
        await producer.send_and_wait("accord.goals.v1", b"{}", key=b"local-stack")
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait("accord.progress.v1", b"{}", key=b"local-stack")
    finally:
        await producer.stop()


async def test_a_wrong_password_fails_at_start(secured: kafka.KafkaProcess) -> None:
    assert secured.security is not None
    wrong = security_options("SASL_SSL", "accord-goals", "not-the-password", secured.security.ca_file)
    producer = new_producer(secured.bootstrap_servers, "accord-goals", wrong)
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_a_plaintext_client_is_refused(secured: kafka.KafkaProcess) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=secured.bootstrap_servers, request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


def _api_versions_answer(sock: socket.socket) -> bytes:
    """Sends a Kafka ApiVersions request (v0) and returns what comes back: empty if the peer closed the connection."""
    body = struct.pack(">hhih", 18, 0, 1, 4) + b"test"
    sock.sendall(struct.pack(">i", len(body)) + body)
    sock.settimeout(10)
    try:
        return sock.recv(4)
    except (ConnectionError, ssl.SSLError):
        return b""


def _controller(broker: kafka.KafkaProcess, cert: Path | None) -> bytes:
    """What the controller listener answers a client presenting `cert` (a PEM key and certificate), or none."""
    assert broker.security is not None
    context = ssl.create_default_context(cafile=broker.security.ca_file)
    if cert is not None:
        context.load_cert_chain(cert)
    with socket.create_connection(("127.0.0.1", broker.controller_port), timeout=10) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                return _api_versions_answer(sock)
        except (ConnectionError, ssl.SSLError):
            return b""


def test_the_controller_listener_lets_in_only_the_brokers_own_certificate(secured: kafka.KafkaProcess) -> None:
    assert secured.security is not None
    with socket.create_connection(("127.0.0.1", secured.controller_port), timeout=10) as plaintext:
        answer = _api_versions_answer(plaintext)
    assert answer == b"" or answer[0] == 0x15  # closed, or a TLS alert record: no Kafka answer either way
    assert _controller(secured, cert=None) == b""
    # The broker's own key and certificate (its principal is a super user there): answered, so the refusals above
    # are the listener's doing, not a port that answers no one.
    assert len(_controller(secured, cert=secured.security.ca_file.parent / "server.pem")) == 4


async def test_a_client_that_does_not_trust_the_brokers_certificate_is_refused(
    secured: kafka.KafkaProcess, tmp_path: Path
) -> None:
    assert secured.security is not None
    other_ca = tmp_path / "other-ca.crt"
    other_ca.write_bytes(tls.issue(tmp_path / "other").ca_file.read_bytes())
    untrusting = security_options("SASL_SSL", "accord-goals", secured.security.passwords["accord-goals"], other_ca)
    producer = new_producer(secured.bootstrap_servers, "accord-goals", untrusting)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


async def test_a_service_worker_configured_from_settings_consumes_through_the_secured_broker(
    secured: kafka.KafkaProcess, service_env: dict[str, str], tmp_path: Path
) -> None:
    """The progress worker, given its principal, password and the CA file in its settings, starts its consumer
    (faststream) and producer (aiokafka) on the secured broker and takes in what the goals principal published."""
    assert secured.security is not None
    database = await asyncio.to_thread(postgres.start, tmp_path / "postgres", secrets.token_urlsafe(24))
    proc: subprocess.Popen[bytes] | None = None
    try:
        url = (await provision(database.admin_url, new_passwords()))["progress"]
        await asyncio.to_thread(migrations.upgrade, "progress", url)
        env = {
            **os.environ,
            **service_env,
            "ACCORD_PROGRESS_DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": secured.bootstrap_servers,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_CA_FILE": str(secured.security.ca_file),
            "ACCORD_PROGRESS_KAFKA_USERNAME": "accord-progress",
            "ACCORD_PROGRESS_KAFKA_PASSWORD": secured.security.passwords["accord-progress"],
        }
        proc = await asyncio.to_thread(_start_worker, env, tmp_path / "worker.log")
        event = goal_paused()
        producer = new_producer(secured.bootstrap_servers, "accord-goals", _as(secured, "accord-goals"))
        await producer.start()
        try:
            await producer.send_and_wait("accord.goals.v1", event.to_bytes(), key=event.partition_key.encode())
        finally:
            await producer.stop()

        async def consumed() -> bool:
            assert proc is not None and proc.poll() is None, f"the worker exited; see {tmp_path / 'worker.log'}"
            conn = await asyncpg.connect(url)
            try:
                return bool(
                    await conn.fetchval("SELECT count(*) FROM progress.inbox WHERE event_id = $1", event.event_id)
                )
            finally:
                await conn.close()

        await eventually(consumed, timeout=90, interval=0.5)
    finally:
        if proc is not None:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 30)
        await asyncio.to_thread(postgres.stop, database.data)


def _start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            ["accord-progress", "worker", "--metrics-port", str(free_port())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
