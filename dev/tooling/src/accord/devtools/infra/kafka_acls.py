"""Applies the published ACLs (accord.devtools.published.acls, the same ones deploy/kafka renders) to a secured
local broker. aiokafka has no CreateAcls, so this uses confluent-kafka's admin client (development only)."""

import re
from collections.abc import Iterable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._acl import AclBinding, AclOperation, AclPermissionType  # the package re-exports them
from confluent_kafka.admin._resource import ResourcePatternType, ResourceType  # without __all__ (strict mypy)

from accord.devtools.infra.kafka import ADMIN_USER, KafkaSecurity
from accord.devtools.published.acls import Acl, Pattern, Resource, users

_OPERATION_NAME = re.compile(r"(?<=[a-z])(?=[A-Z])")
RESOURCES = {Resource.TOPIC: ResourceType.TOPIC, Resource.GROUP: ResourceType.GROUP}
PATTERNS = {Pattern.LITERAL: ResourcePatternType.LITERAL, Pattern.PREFIX: ResourcePatternType.PREFIXED}


def bindings(acls: Iterable[Acl]) -> list[AclBinding]:
    return [
        AclBinding(
            RESOURCES[acl.resource],
            acl.name,
            PATTERNS[acl.pattern],
            acl.principal,
            "*",
            AclOperation[_OPERATION_NAME.sub("_", operation).upper()],  # DescribeConfigs -> DESCRIBE_CONFIGS
            AclPermissionType.ALLOW,
        )
        for acl in acls
        for operation in acl.operations
    ]


def apply_published_acls(bootstrap_servers: str, security: KafkaSecurity | None, timeout: float = 30.0) -> int:
    """Creates every published principal's ACLs as the admin super user; returns how many bindings it created."""
    if security is None:
        raise ValueError("the broker is not secured: it has no authorizer to give ACLs to")
    admin = AdminClient(
        {
            "bootstrap.servers": bootstrap_servers,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": ADMIN_USER,
            "sasl.password": security.passwords[ADMIN_USER],
            "ssl.ca.location": str(security.ca_file),
        }
    )
    created = bindings(acl for acls in users().values() for acl in acls)
    for future in admin.create_acls(created, request_timeout=timeout).values():
        try:
            future.result()
        except KafkaException as exc:
            raise RuntimeError(f"the broker refused an ACL: {exc}") from exc
    return len(created)
