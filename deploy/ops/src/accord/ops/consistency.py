"""Checks that docker-compose, the Kubernetes manifests, the services' Settings and the topic registry agree.

Each check returns a list of problems (empty: all agree). The environment a process gets is checked by building
that service's own Settings from it, so a new required setting, a misspelt variable or a missing secret shows up
without this file knowing any setting by name.
"""

import base64
import importlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from accord.ops import manifests
from accord.ops.lag import consumed_topics
from accord.shared.events.registry import TOPICS
from accord.shared.services import GATEWAY, SERVICES
from accord.shared.settings import WebSettings

Doc = dict[str, Any]

# Settings the manifests already pass although the service's Settings do not read them yet (work in progress on
# those services). Harmless while unread; remove an entry once the field exists.
PENDING: set[str] = set()  # variables passed ahead of the setting that reads them (none now)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|DATABASE_URL|_KEY$")
RELAY_ONLY_WORKER_MAX = 4  # a worker that consumes nothing runs only the outbox relay
CONNECTION_BUDGET = 800  # PostgreSQL max_connections 1000, less superuser, replication and operator headroom
PUBLISHED_IN_COMPOSE = {"gateway-api", "mailpit", "identity"}
DUMMY_SECRET = "Dummy-secret-for-checking-0"  # noqa: S105 (a stand-in, so the real one need not be known)
NEEDED_IN_PRODUCTION = {
    # JSON, id -> base64 of 32 bytes (accord.shared.settings): a stand-in key of zeros, checked for its form only.
    "ACCORD_EPISODE_KEY_WRAPPING_KEYS": '{"stand-in": "' + base64.b64encode(bytes(32)).decode() + '"}',
}
"""Optional Secrets' variables that production's settings refuse to start without."""


def settings_class(service: str) -> type[WebSettings]:
    cls: type[WebSettings] = importlib.import_module(f"accord.{service}.settings").Settings
    return cls


def variables(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable -> the key that sets that field when given to the constructor."""
    prefix = str(cls.model_config.get("env_prefix", "")).upper()
    found = {}
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            found.update({str(choice).upper(): str(choice) for choice in alias.choices})
        elif isinstance(alias, str):
            found[alias.upper()] = alias
        else:
            found[f"{prefix}{name.upper()}"] = name
    return found


def check_environment(service: str, env: Mapping[str, str], where: str, optional: Iterable[str] = ()) -> list[str]:
    """`env` is what the process gets; `optional` names what it may get (an optional Secret's key)."""
    cls = settings_class(service)
    known = variables(cls)
    problems = []
    for name in [*env, *optional]:
        if name.startswith("ACCORD_") or name == "KAFKA_BOOTSTRAP_SERVERS":
            owner = next((s for s in (*SERVICES, GATEWAY) if name.startswith(f"ACCORD_{s.upper()}_")), None)
            if owner not in (None, service):
                problems.append(f"{where}: {name} belongs to {owner}, not {service}")
            elif name not in known and name not in PENDING:
                problems.append(f"{where}: {name} is read by no setting of {service}")

    class OnlyThese(cls):  # type: ignore[valid-type,misc]
        """The same fields and validators, reading only what is passed in (no process environment, no files)."""

        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource, **_: Any
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    try:
        OnlyThese(**{known[k]: v for k, v in env.items() if k in known})
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            field = ".".join(str(p) for p in error["loc"]) or "settings"
            problems.append(f"{where}: {service} would not start: {field}: {error['msg']}")
    return problems


# ---- docker-compose ----------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z0-9_]+)(?P<op>:?[?-])?(?P<arg>[^}]*)\}")


def interpolate(value: Any) -> tuple[str, bool]:
    """A compose value with its variables filled in as compose would (secrets with a dummy); and whether every
    variable in it is required (`${VAR:?why}`), i.e. comes from the environment, not from a default."""
    text, required = str(value), True

    def fill(match: re.Match[str]) -> str:
        nonlocal required
        op = match["op"] or ""
        if "?" in op:
            return DUMMY_SECRET
        required = False
        return match["arg"] if "-" in op else ""

    filled = _INTERPOLATION.sub(fill, text)
    return filled, required and "${" in text


def compose_environment(service: Doc) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: interpolate(v)[0] for k, v in env.items()}


def check_compose(doc: Doc) -> list[str]:
    problems = []
    services: dict[str, Doc] = doc.get("services", {})
    for name, spec in services.items():
        if "healthcheck" not in spec and spec.get("restart") != "no":  # a one-shot step ends, it is not watched
            problems.append(f"compose {name}: no healthcheck")
        for variable, value in (spec.get("environment") or {}).items():
            if SECRET_NAME.search(variable) and not interpolate(value)[1]:
                problems.append(f"compose {name}: {variable} must come from the environment as ${{VAR:?}}")
        if spec.get("ports") and name not in PUBLISHED_IN_COMPOSE:
            problems.append(f"compose {name}: publishes ports; only {sorted(PUBLISHED_IN_COMPOSE)} may")
    for service, component in _processes():
        command = manifests.api_command if component == "api" else manifests.worker_command
        where = f"compose {service}-{component}"
        if f"{service}-{component}" not in services:
            problems.append(f"{where}: missing")
            continue
        spec = services[f"{service}-{component}"]
        if [str(c) for c in spec.get("command", [])] != command(service):
            problems.append(f"{where}: command is not {command(service)}")
        if not str(spec.get("image", "")).startswith(f"accord-{service}:"):
            problems.append(f"{where}: image is not accord-{service}")
        if (spec.get("build") or {}).get("args", {}).get("SERVICE") != service:
            problems.append(f"{where}: not built with SERVICE={service}")
        depends = spec.get("depends_on") or {}
        waits = (depends.get("setup") or {}).get("condition") == "service_completed_successfully"
        if service != GATEWAY and not waits:  # the gateway needs neither topics nor migrations
            problems.append(f"{where}: must wait for setup (topics and migrations) to complete")
        port = manifests.API_PORT if component == "api" else manifests.WORKER_METRICS_PORT
        if f":{port}/" not in str((spec.get("healthcheck") or {}).get("test")):
            problems.append(f"{where}: healthcheck does not ask port {port}")
        env = compose_environment(spec)
        problems += check_environment(service, env, where)
        if service != GATEWAY:
            problems += _check_database_url(service, env.get(f"ACCORD_{service.upper()}_DATABASE_URL"), where)
            problems += _check_compose_kafka(service, spec, where)
    problems += _check_compose_web_app(services)
    setup_env = compose_environment(services.get("setup", {}))
    for service in SERVICES:
        problems += _check_database_url(service, setup_env.get(f"ACCORD_{service.upper()}_DATABASE_URL"), "setup")
        if f"ACCORD_{service.upper()}_DB_PASSWORD" not in (services.get("postgres", {}).get("environment") or {}):
            problems.append(f"compose postgres: the init script gets no ACCORD_{service.upper()}_DB_PASSWORD")
    return problems


def _check_compose_kafka(service: str, spec: Doc, where: str) -> list[str]:
    """Kafka as in production: SASL_SSL as the service's own principal, its password from the environment, and the
    CA that the broker's certificate chains to, on a volume the process mounts."""
    env, raw = compose_environment(spec), spec.get("environment") or {}
    prefix = f"ACCORD_{service.upper()}_KAFKA_"
    problems = []
    if env.get("KAFKA_SECURITY_PROTOCOL") != "SASL_SSL":
        problems.append(f"{where}: Kafka over {env.get('KAFKA_SECURITY_PROTOCOL', 'PLAINTEXT')}, not SASL_SSL")
    if env.get(f"{prefix}USERNAME") != f"accord-{service}":
        problems.append(f"{where}: Kafka principal is {env.get(f'{prefix}USERNAME')!r}, not accord-{service}")
    if not interpolate(raw.get(f"{prefix}PASSWORD", ""))[1]:
        problems.append(f"{where}: {prefix}PASSWORD must come from the environment as ${{VAR:?}}")
    ca_file = env.get("KAFKA_CA_FILE", "")
    mounts = [str(v).split(":")[1] for v in spec.get("volumes", []) if str(v).count(":") >= 1]
    if not ca_file or not any(ca_file.startswith(f"{m.rstrip('/')}/") for m in mounts):
        problems.append(f"{where}: KAFKA_CA_FILE {ca_file!r} is on no volume it mounts")
    return problems


def _check_compose_web_app(services: dict[str, Doc]) -> list[str]:
    """The gateway can be given a provider's client secret and its public URL, and the links in messages lead there."""
    gateway = compose_environment(services.get(f"{GATEWAY}-api", {}))
    problems = [
        f"compose {GATEWAY}-api: no {variable} (browser sign-in)"
        for variable in ("ACCORD_GATEWAY_LOGIN_CLIENT_SECRET", "ACCORD_GATEWAY_PUBLIC_BASE_URL")
        if variable not in gateway
    ]
    site = gateway.get("ACCORD_GATEWAY_PUBLIC_BASE_URL", "").rstrip("/")
    for name, spec in services.items():
        links = compose_environment(spec).get("ACCORD_NOTIFICATIONS_APP_BASE_URL")
        if name.startswith("notifications-") and (links or "").rstrip("/") != site:
            problems.append(f"compose {name}: notification links lead to {links!r}, not the site {site!r}")
    return problems


def _processes() -> list[tuple[str, str]]:
    """(service, component) of every long-running process: each service's API and worker, and the gateway's API."""
    return [(s, c) for s in SERVICES for c in ("api", "worker")] + [(GATEWAY, "api")]


def _check_database_url(service: str, url: str | None, where: str) -> list[str]:
    if url is None:
        return [f"{where}: no database URL for {service}"]
    parts = urlsplit(url)
    if parts.username != f"accord_{service}" or parts.path != "/accord":
        return [f"{where}: {service} must connect as accord_{service} to the accord database"]
    return []


def postgres_init_services(script: str) -> set[str]:
    found = re.search(r"^SERVICES=\(([^)]*)\)", script, re.MULTILINE)
    return set(found.group(1).split()) if found else set()


# ---- Kubernetes --------------------------------------------------------------------------------------------


def _by_kind(docs: Iterable[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def _config_map(docs: list[Doc], name: str) -> Doc | None:
    """A ConfigMap by the name the manifests use; Kustomize appends a content hash to generated ones."""
    for cm in _by_kind(docs, "ConfigMap").values():
        if re.fullmatch(rf"{re.escape(name)}(-[a-z0-9]{{10}})?", cm["metadata"]["name"]):
            return cm
    return None


def container_environment(docs: list[Doc], container: Doc, where: str) -> tuple[dict[str, str], list[str], list[str]]:
    """The environment the container gets, the variables of optional Secrets it may get, and problems."""
    env: dict[str, str] = {}
    optional: list[str] = []
    problems = []
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef") or {}
        cm = _config_map(docs, ref.get("name", ""))
        if cm is None and not ref.get("optional"):
            problems.append(f"{where}: ConfigMap {ref.get('name')} is not in the manifests")
        if "secretRef" in source:
            problems.append(f"{where}: takes a whole Secret; reference each key so the variables stay known")
        env.update((cm or {}).get("data", {}))
    for item in container.get("env", []):
        if "value" in item:
            if SECRET_NAME.search(item["name"]):
                problems.append(f"{where}: {item['name']} is inlined; reference a Secret")
            env[item["name"]] = str(item["value"])
        elif (secret := item.get("valueFrom", {}).get("secretKeyRef")) and secret.get("optional"):
            optional.append(item["name"])
            if item["name"] in NEEDED_IN_PRODUCTION:
                # Optional for a development cluster; production's settings refuse to start without it, and
                # deploy/README.md has the operator create it: a well-formed stand-in lets the settings judge the rest.
                env[item["name"]] = NEEDED_IN_PRODUCTION[item["name"]]
        elif secret:
            # The Secret's value is the cluster's; a well-formed stand-in lets the Settings judge the rest.
            role = f"accord_{secret['name'].split('-')[1]}" if secret["key"] == "url" else ""
            # A database URL as deploy/README.md asks the Secret to hold it: TLS, the server's certificate verified.
            url = f"postgresql://{role}:{DUMMY_SECRET}@postgres:5432/accord?sslmode=verify-full"
            env[item["name"]] = url if role else DUMMY_SECRET
    return env, optional, problems


def check_kubernetes(docs: list[Doc], production: bool) -> list[str]:
    problems = [f"{d['metadata']['name']}: a Secret is inlined" for d in docs if d.get("kind") == "Secret"]
    deployments, hpas = _by_kind(docs, "Deployment"), _by_kind(docs, "HorizontalPodAutoscaler")
    pdbs, jobs, k8s_services = _by_kind(docs, "PodDisruptionBudget"), _by_kind(docs, "Job"), _by_kind(docs, "Service")
    connections = 0
    for service, component in _processes():
        command = manifests.api_command if component == "api" else manifests.worker_command
        name = f"{service}-{component}"
        deployment = deployments.get(name)
        if deployment is None:
            problems.append(f"Deployment {name}: missing")
            continue
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        problems += _check_container(docs, service, container, command(service), f"Deployment {name}")
        port = manifests.API_PORT if component == "api" else manifests.WORKER_METRICS_PORT
        if port not in [p["containerPort"] for p in container.get("ports", [])]:
            problems.append(f"Deployment {name}: does not expose port {port}")
        if not {"livenessProbe", "readinessProbe"} <= set(container):
            problems.append(f"Deployment {name}: needs liveness and readiness probes")
        if name not in pdbs:
            problems.append(f"Deployment {name}: no PodDisruptionBudget")
        hpa = hpas.get(name)
        if hpa is None:
            problems.append(f"Deployment {name}: no HorizontalPodAutoscaler")
            continue
        if service != GATEWAY:  # the gateway opens no database connection
            pool = next((e.get("value") for e in container.get("env", []) if e["name"].endswith("_DB_POOL_MAX")), 10)
            connections += hpa["spec"]["maxReplicas"] * int(pool or 10)
        if component == "worker":
            problems += _check_worker_scaling(service, hpa["spec"]["maxReplicas"])
    for service in SERVICES:
        job = jobs.get(f"{service}-migrate")
        if job is None:
            problems.append(f"Job {service}-migrate: missing")
        else:
            [container] = job["spec"]["template"]["spec"]["containers"]
            problems += _check_container(docs, service, container, manifests.migrate_command(service), "migration")
    for service in (*SERVICES, GATEWAY):
        target = k8s_services.get(service, {}).get("spec", {}).get("ports", [{}])[0].get("targetPort")
        if target != "http":
            problems.append(f"Service {service}: must target the API's http port")
    if production and connections > CONNECTION_BUDGET:
        problems.append(f"database connections at full scale: {connections} > budget {CONNECTION_BUDGET}")
    return problems + check_topics(docs, production) + check_network_policies(docs) + check_web_app(docs, production)


def check_web_app(docs: list[Doc], production: bool) -> list[str]:
    """What the web app needs of the gateway: in production, browser sign-in configured; with more than one
    replica, the sessions in Redis (a session kept in one replica's memory is unknown to the next request's); and
    links in messages that lead to the site the gateway serves."""
    deployments, hpas = _by_kind(docs, "Deployment"), _by_kind(docs, "HorizontalPodAutoscaler")
    name = f"{GATEWAY}-api"
    if name not in deployments:
        return []  # reported as missing above
    [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
    env, _, _ = container_environment(docs, container, name)
    problems = []
    signs_in = bool(env.get("ACCORD_GATEWAY_LOGIN_ISSUER"))
    if production and not signs_in:
        problems.append(f"Deployment {name}: the web app's sign-in is not configured (ACCORD_GATEWAY_LOGIN_ISSUER)")
    replicas = max(
        int(deployments[name]["spec"].get("replicas", 1)), int(hpas.get(name, {}).get("spec", {}).get("minReplicas", 1))
    )
    if signs_in and replicas > 1 and not env.get("ACCORD_GATEWAY_REDIS_URL"):
        problems.append(
            f"Deployment {name}: {replicas} replicas keep browser sessions in memory; set ACCORD_GATEWAY_REDIS_URL"
        )
    site = env.get("ACCORD_GATEWAY_PUBLIC_BASE_URL", "").rstrip("/")
    for service_name, deployment in deployments.items():
        if not service_name.startswith("notifications-"):
            continue
        [notifier] = deployment["spec"]["template"]["spec"]["containers"]
        links = container_environment(docs, notifier, service_name)[0].get("ACCORD_NOTIFICATIONS_APP_BASE_URL", "")
        if signs_in and links.rstrip("/") != site:
            problems.append(f"Deployment {service_name}: notification links lead to {links!r}, not the site {site!r}")
    return problems


def _check_container(docs: list[Doc], service: str, container: Doc, command: list[str], where: str) -> list[str]:
    problems = []
    if container.get("command") != command:
        problems.append(f"{where}: command is not {command}")
    if not str(container.get("image", "")).split(":")[0].endswith(f"accord-{service}"):
        problems.append(f"{where}: image is not accord-{service}")
    resources = container.get("resources", {})
    if not {"cpu", "memory"} <= set(resources.get("requests", {})) or "memory" not in resources.get("limits", {}):
        problems.append(f"{where}: needs cpu and memory requests and a memory limit")
    env, optional, env_problems = container_environment(docs, container, where)
    return problems + env_problems + check_environment(service, env, where, optional)


def _check_worker_scaling(service: str, max_replicas: int) -> list[str]:
    topics = consumed_topics(service)
    bound = max((TOPICS[t].partitions for t in topics), default=RELAY_ONLY_WORKER_MAX)
    if max_replicas > bound:
        return [f"{service}-worker: may scale to {max_replicas}, but more than {bound} would sit idle"]
    return []


def check_topics(docs: list[Doc], production: bool) -> list[str]:
    topics = {d["spec"].get("topicName", d["metadata"]["name"]): d for d in docs if d.get("kind") == "KafkaTopic"}
    problems = [f"KafkaTopic {name}: not in the registry" for name in set(topics) - set(TOPICS)]
    for name, spec in TOPICS.items():
        topic = topics.get(name)
        if topic is None:
            problems.append(f"KafkaTopic {name}: missing")
            continue
        config, replicas = topic["spec"].get("config", {}), topic["spec"].get("replicas", 0)
        insync = int(config.get("min.insync.replicas", 1))
        wanted = {
            "partitions": spec.partitions,
            "retention.ms": spec.retention_ms,
            "cleanup.policy": spec.cleanup_policy,
            **dict(spec.extra_config),
        }
        actual = {"partitions": topic["spec"].get("partitions"), **config}
        for key, value in wanted.items():
            if str(actual.get(key)) != str(value):
                problems.append(f"KafkaTopic {name}: {key} is {actual.get(key)}, the registry says {value}")
        if insync > replicas:
            problems.append(f"KafkaTopic {name}: min.insync.replicas {insync} > replicas {replicas}")
        if production and (replicas < 3 or insync != 2):
            problems.append(f"KafkaTopic {name}: production needs replicas >= 3 and min.insync.replicas=2")
    return problems


def check_network_policies(docs: list[Doc]) -> list[str]:
    """Only the gateway's API may take traffic from outside the namespace (and Prometheus may scrape the metrics
    port, nothing else)."""
    policies = _by_kind(docs, "NetworkPolicy")
    problems = []
    deny = policies.get("default-deny", {}).get("spec", {})
    if deny.get("podSelector") != {} or set(deny.get("policyTypes", [])) != {"Ingress", "Egress"}:
        problems.append("NetworkPolicy default-deny: must select every pod and deny ingress and egress")
    gateway = {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/component": "api"}
    metrics_ports = {manifests.METRICS_PORT}
    for name, policy in policies.items():
        for rule in policy["spec"].get("ingress", []):
            outside = [p for p in rule.get("from", []) if "namespaceSelector" in p or "ipBlock" in p]
            if not outside or policy["spec"]["podSelector"].get("matchLabels") == gateway:
                continue
            from_monitoring = all(
                p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "monitoring"
                for p in outside
            )
            if not (from_monitoring and {p.get("port") for p in rule.get("ports", [])} <= metrics_ports):
                problems.append(f"NetworkPolicy {name}: lets traffic in from outside the namespace")
    return problems


# ---- Dashboards and alerts ---------------------------------------------------------------------------------

_METRIC = re.compile(r"\baccord_[a-z_]+\b")
_GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*\"")


def metric_samples() -> dict[str, set[str]]:
    """Every sample name accord.shared.metrics exposes -> its label names."""
    from prometheus_client import Counter, Histogram
    from prometheus_client.metrics import MetricWrapperBase

    from accord.shared import metrics

    found: dict[str, set[str]] = {}
    for metric in vars(metrics).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        name, labels = metric._name, set(metric._labelnames)
        if isinstance(metric, Histogram):
            found.update({f"{name}_count": labels, f"{name}_sum": labels, f"{name}_bucket": labels | {"le"}})
        elif isinstance(metric, Counter):
            found[f"{name}_total"] = labels
        else:
            found[name] = labels
    return found


def check_queries(queries: Iterable[tuple[str, str]]) -> list[str]:
    """Each (where, PromQL) names only metrics that exist, and groups or filters only by labels they carry."""
    samples = metric_samples()
    problems = []
    for where, query in queries:
        names = set(_METRIC.findall(query))
        unknown = names - set(samples)
        problems += [f"{where}: no metric {name}" for name in sorted(unknown)]
        labels = set().union(*(samples[n] for n in names - unknown)) if names - unknown else set()
        used = {label.strip() for group in _GROUPING.findall(query) for label in group.split(",") if label.strip()}
        used |= set(_MATCHER.findall(query))
        problems += [f"{where}: no label {label} on {sorted(names)}" for label in sorted(used - labels)]
    return problems


def dashboard_queries(dashboard: Doc) -> list[tuple[str, str]]:
    return [
        (f"panel {panel.get('title')!r}", target["expr"])
        for panel in dashboard.get("panels", [])
        for target in panel.get("targets", [])
    ]


def alert_queries(rules: Doc) -> list[tuple[str, str]]:
    return [(f"alert {r.get('alert')}", r["expr"]) for group in rules.get("groups", []) for r in group["rules"]]


def check_alert_rules(rules: Doc) -> list[str]:
    problems = []
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert", "?")
            if not {"alert", "expr"} <= set(rule):
                problems.append(f"alert {name}: needs alert and expr")
            if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
                problems.append(f"alert {name}: severity must be warning or critical")
            if "summary" not in rule.get("annotations", {}):
                problems.append(f"alert {name}: needs a summary")
    return problems + check_queries(alert_queries(rules))
