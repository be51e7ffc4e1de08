"""Creating and verifying the topics the registry in accord.shared declares."""

from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from accord.ops.kafka_util import admin_client, operator_security
from accord.shared.events.registry import TOPICS, TopicSpec
from accord.shared.kafka import ensure_topics


@dataclass(frozen=True)
class Drift:
    topic: str
    setting: str
    expected: str
    actual: str


async def create_topics(bootstrap: str, replication_factor: int = 1) -> list[str]:
    """Creates what is missing (never alters what exists); returns the names created."""
    return await ensure_topics(
        bootstrap, TOPICS.values(), replication_factor=replication_factor, security=operator_security()
    )


def expected_settings(spec: TopicSpec, min_insync_replicas: int | None) -> dict[str, str]:
    wanted = {"partitions": str(spec.partitions), **spec.config()}
    if min_insync_replicas is not None:
        wanted["min.insync.replicas"] = str(min_insync_replicas)
    return wanted


async def verify_topics(
    bootstrap: str, specs: Iterable[TopicSpec] | None = None, min_insync_replicas: int | None = None
) -> list[Drift]:
    """Every difference between the broker and the registry: missing topics, partitions, retention, cleanup
    policy and (where asked, as in production) min.insync.replicas."""
    specs = list(TOPICS.values() if specs is None else specs)
    async with admin_client(bootstrap) as admin:
        described = {t["topic"]: t for t in await admin.describe_topics([s.name for s in specs])}
        present = [s for s in specs if described[s.name].get("error_code", 0) == 0 and described[s.name]["partitions"]]
        configs: dict[str, dict[str, str]] = {}
        if present:
            resources = [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in present]
            for response in await admin.describe_configs(resources):
                for _error, _message, _type, name, entries in response.resources:
                    configs[name] = {entry[0]: str(entry[1]) for entry in entries}
    drifts = []
    for spec in specs:
        if spec not in present:
            drifts.append(Drift(spec.name, "exists", "yes", "no"))
            continue
        actual = {**configs.get(spec.name, {}), "partitions": str(len(described[spec.name]["partitions"]))}
        for setting, wanted in expected_settings(spec, min_insync_replicas).items():
            if actual.get(setting) != wanted:
                drifts.append(Drift(spec.name, setting, wanted, actual.get(setting, "unset")))
    return drifts
