"""Every rendered Kubernetes manifest against the Kubernetes schemas (kubernetes-validate's bundled, strict
ones; offline), the generated files against their generator, and the manifests against the services."""

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

from accord.ops import consistency, manifests, render

KUBERNETES_VERSION = "1.32"
KAFKA_TOPIC_SCHEMA = json.loads((render.DEPLOY / "schemas" / "kafkatopic-v1beta2.json").read_text())


def schema_errors(docs: list[dict[str, Any]]) -> list[str]:
    errors = []
    for doc in docs:
        where = f"{doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        if doc.get("kind") == "KafkaTopic":
            validator = jsonschema.Draft202012Validator(KAFKA_TOPIC_SCHEMA)
            errors += [f"{where}: {e.message}" for e in validator.iter_errors(doc)]
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except ValidationError as exc:
            errors.append(f"{where}: {exc.message}")
        except SchemaNotFoundError:
            errors.append(f"{where}: no schema for {doc.get('apiVersion')} {doc.get('kind')}")
    return errors


@pytest.mark.parametrize("overlay", render.OVERLAYS)
def test_every_rendered_manifest_matches_the_kubernetes_schemas(rendered: dict[str, Any], overlay: str) -> None:
    docs = rendered[overlay]
    assert {"Deployment", "HorizontalPodAutoscaler", "KafkaTopic", "NetworkPolicy", "Job"} <= {d["kind"] for d in docs}
    assert schema_errors(docs) == []


def test_a_broken_manifest_is_refused_after_rendering(tmp_path: Path) -> None:
    """A typo in a committed file, found the way the real files are checked: render, then validate."""
    copy_of = tmp_path / "deploy"
    shutil.copytree(render.K8S, copy_of / "k8s")
    shutil.copytree(render.DEPLOY / "observability", copy_of / "observability")
    goals = copy_of / "k8s" / "base" / "app" / "generated" / "goals.yaml"
    goals.write_text(goals.read_text().replace("livenessProbe:", "livenesProbe:", 1))
    topics = copy_of / "k8s" / "base" / "topics" / "kafka-topics.yaml"
    topics.write_text(topics.read_text().replace("partitions: 12", "partitions: twelve", 1))
    errors = schema_errors(render.render(copy_of / "k8s" / "overlays" / "prod"))
    assert any("goals-api" in e and "livenesProbe" in e for e in errors), errors
    assert any("KafkaTopic" in e and "twelve" in e for e in errors), errors


def test_the_generated_manifests_are_up_to_date() -> None:
    """Workloads and KafkaTopics follow from code and the topic registry: `accord-ops k8s generate`."""
    assert manifests.stale_files(render.K8S) == []


@pytest.mark.parametrize("overlay", render.OVERLAYS)
def test_kubernetes_agrees_with_the_services_and_the_topic_registry(rendered: dict[str, Any], overlay: str) -> None:
    assert consistency.check_kubernetes(rendered[overlay], production=overlay == "prod") == []


def _named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"].startswith(name))


def _container(docs: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    container: dict[str, Any] = _named(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]
    return container


def _gateway_env(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(e for e in _container(docs, "gateway-api")["env"] if e["name"] == name)


def _without_gateway_env(docs: list[dict[str, Any]], name: str) -> None:
    _container(docs, "gateway-api")["env"].remove(_gateway_env(docs, name))


def _open_to_outside(docs: list[dict[str, Any]]) -> None:
    policy = _named(docs, "NetworkPolicy", "service-apis-ingress-from-gateway")
    policy["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (lambda d: _named(d, "ConfigMap", "accord-config")["data"].pop("ACCORD_OIDC_ISSUER"), "would not start"),
        (lambda d: _named(d, "ConfigMap", "accord-kafka-config")["data"].pop("KAFKA_BOOTSTRAP_SERVERS"),
         "would not start"),
        (lambda d: _container(d, "goals-api")["env"].__setitem__(0, {"name": "ACCORD_GOALS_DATABASE_URL",
                                                                       "value": "postgresql://u:p@h/accord"}),
         "is inlined"),
        (lambda d: _container(d, "progress-worker")["env"].append({"name": "ACCORD_PROGRESS_DB_POOLMAX", "value": "3"}),
         "read by no setting"),
        (lambda d: _named(d, "HorizontalPodAutoscaler", "progress-worker")["spec"].update(maxReplicas=40), "idle"),
        (lambda d: _named(d, "KafkaTopic", "accord.goals.v1")["spec"].update(partitions=24), "the registry says 12"),
        (lambda d: _named(d, "KafkaTopic", "accord.goals.v1")["spec"]["config"].update({"min.insync.replicas": 1}),
         "min.insync.replicas=2"),
        (lambda d: d.remove(_named(d, "KafkaTopic", "accord.analytics.v1")), "accord.analytics.v1: missing"),
        (_open_to_outside, "from outside the namespace"),
        (lambda d: d.append({"kind": "Secret", "metadata": {"name": "oops"}}), "a Secret is inlined"),
        (lambda d: _container(d, "goals-api").pop("readinessProbe"), "liveness and readiness"),
        (lambda d: _container(d, "goals-api")["resources"].pop("limits"), "memory limit"),
        (lambda d: _without_gateway_env(d, "ACCORD_GATEWAY_LOGIN_CLIENT_SECRET"), "login_client_secret"),
        (lambda d: _gateway_env(d, "ACCORD_GATEWAY_LOGIN_CLIENT_SECRET")["valueFrom"]["secretKeyRef"].update(
            optional=True), "login_client_secret"),
        (lambda d: _named(d, "ConfigMap", "accord-gateway-config")["data"].pop("ACCORD_GATEWAY_REDIS_URL"),
         "keep browser sessions in memory"),
        (lambda d: _named(d, "ConfigMap", "accord-gateway-config")["data"].pop("ACCORD_GATEWAY_LOGIN_ISSUER"),
         "sign-in is not configured"),
        (lambda d: _named(d, "ConfigMap", "accord-gateway-config")["data"].update(
            ACCORD_GATEWAY_PUBLIC_BASE_URL="http://accord.health-service.example"), "https public_base_url"),
        (lambda d: _named(d, "ConfigMap", "accord-notifications-config")["data"].update(
            ACCORD_NOTIFICATIONS_APP_BASE_URL="https://elsewhere.example"), "notification links"),
    ],
)  # fmt: skip
def test_manifests_that_disagree_with_the_services_are_caught(
    rendered: dict[str, Any], breakage: Any, complaint: str
) -> None:
    broken = copy.deepcopy(rendered["prod"])
    breakage(broken)
    problems = consistency.check_kubernetes(broken, production=True)
    assert any(complaint in problem for problem in problems), problems


def test_compose_and_kubernetes_run_the_same_processes(compose: dict[str, Any], rendered: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        if name.endswith(("-api", "-worker")):
            assert [str(c) for c in spec["command"]] == _container(rendered["prod"], name)["command"]


def test_the_prod_overlay_pins_images_and_dev_runs_one_broker(rendered: dict[str, Any]) -> None:
    prod_images = {c["image"] for d in rendered["prod"] if d["kind"] == "Deployment"
                   for c in d["spec"]["template"]["spec"]["containers"]}  # fmt: skip
    assert all(":" in image and not image.endswith(":latest") for image in prod_images)
    dev_topics = [d for d in rendered["dev"] if d["kind"] == "KafkaTopic"]
    assert {(t["spec"]["replicas"], t["spec"]["config"]["min.insync.replicas"]) for t in dev_topics} == {(1, 1)}
    assert yaml.safe_dump(rendered["prod"]).count("kind: Secret\n") == 0


def test_the_production_gateway_signs_browsers_in_with_its_client_secret_from_a_secret_and_sessions_in_redis(
    rendered: dict[str, Any],
) -> None:
    docs = rendered["prod"]
    secret = _gateway_env(docs, "ACCORD_GATEWAY_LOGIN_CLIENT_SECRET")["valueFrom"]["secretKeyRef"]
    assert secret == {"name": "accord-gateway-login", "key": "client-secret"}  # required: no start without it
    config = _named(docs, "ConfigMap", "accord-gateway-config")["data"]
    assert (
        config["ACCORD_GATEWAY_LOGIN_ISSUER"]
        == _named(docs, "ConfigMap", "accord-config")["data"]["ACCORD_OIDC_ISSUER"]
    )  # the provider that signs people in issues the access tokens the services verify
    assert config["ACCORD_GATEWAY_PUBLIC_BASE_URL"].startswith("https://")
    assert config["ACCORD_GATEWAY_REDIS_URL"].startswith("redis")
    links = _named(docs, "ConfigMap", "accord-notifications-config")["data"]["ACCORD_NOTIFICATIONS_APP_BASE_URL"]
    assert links == config["ACCORD_GATEWAY_PUBLIC_BASE_URL"]
