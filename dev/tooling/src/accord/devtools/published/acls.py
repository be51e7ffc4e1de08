"""Who may do what on Accord's Kafka cluster, derived from the topic registry and the services' subscriptions.

Each service's principal may write the topics the registry says it produces (its domain topic and its
dead-letter topic), read the topics it subscribes to, and use its own consumer group; nothing else. The analytics
principal may only read topics under `accord.analytics.` with consumer groups of its own prefix. The operator
principal (`accord-ops`) reads the dead-letter topics, writes a dead letter back to the topic it came from (a
replay), describes topics and the services' groups (lag), creates topics; it reads no domain topic.

Writing a topic is enough for an idempotent producer since Kafka 3.0 (KIP-679): no cluster IdempotentWrite.
Rendered as Strimzi KafkaUsers and as a kafka-acls.sh script by kafka_files (scripts/update-event-catalog).
"""

from dataclasses import dataclass
from enum import StrEnum

from accord.devtools.published.services import SERVICES, consumed_topics, consumer_groups, produced_topics
from accord.shared.events.registry import dead_letter_topic

ANALYTICS_USER = "analytics"
ANALYTICS_TOPIC_PREFIX = "accord.analytics."
ANALYTICS_GROUP_PREFIX = "analytics-"
OPERATOR_USER = "accord-operator"
OPERATOR_GROUP_PREFIX = "accord-ops-"  # accord.ops.deadletters.replay_group: a replay's progress
TOPIC_PREFIX = "accord."


class Resource(StrEnum):
    TOPIC = "topic"
    GROUP = "group"


class Pattern(StrEnum):
    LITERAL = "literal"
    PREFIX = "prefix"


@dataclass(frozen=True)
class Acl:
    """Allows `user` the `operations` (Kafka's names: Read, Write, Describe) on the named resource(s)."""

    user: str
    resource: Resource
    name: str
    pattern: Pattern
    operations: tuple[str, ...]

    @property
    def principal(self) -> str:
        return f"User:{self.user}"


def service_user(service: str) -> str:
    return f"accord-{service}"


def service_acls(service: str) -> list[Acl]:
    user = service_user(service)
    acls = [Acl(user, Resource.TOPIC, t.name, Pattern.LITERAL, ("Write", "Describe")) for t in produced_topics(service)]
    consumed = consumed_topics(service)
    acls += [Acl(user, Resource.TOPIC, topic, Pattern.LITERAL, ("Read", "Describe")) for topic in consumed]
    acls += [Acl(user, Resource.GROUP, group, Pattern.LITERAL, ("Read",)) for group in consumer_groups(service)]
    return acls


def analytics_acls() -> list[Acl]:
    return [
        Acl(ANALYTICS_USER, Resource.TOPIC, ANALYTICS_TOPIC_PREFIX, Pattern.PREFIX, ("Read", "Describe")),
        Acl(ANALYTICS_USER, Resource.GROUP, ANALYTICS_GROUP_PREFIX, Pattern.PREFIX, ("Read",)),
    ]


def replay_targets() -> list[str]:
    """The topics a dead letter can come from, and so be replayed to: every topic some service consumes."""
    return sorted({topic for service in SERVICES for topic in consumed_topics(service)})


def operator_acls() -> list[Acl]:
    user = OPERATOR_USER
    acls = [Acl(user, Resource.TOPIC, dead_letter_topic(s), Pattern.LITERAL, ("Read", "Describe")) for s in SERVICES]
    acls += [Acl(user, Resource.TOPIC, topic, Pattern.LITERAL, ("Write",)) for topic in replay_targets()]
    # Describe: partitions and end offsets (lag); DescribeConfigs and Create: `accord-ops topics verify|create`.
    acls.append(Acl(user, Resource.TOPIC, TOPIC_PREFIX, Pattern.PREFIX, ("Describe", "DescribeConfigs", "Create")))
    acls.append(Acl(user, Resource.GROUP, OPERATOR_GROUP_PREFIX, Pattern.PREFIX, ("Read",)))
    acls += [
        Acl(user, Resource.GROUP, group, Pattern.LITERAL, ("Describe",))
        for group in dict.fromkeys(g for s in SERVICES for g in consumer_groups(s))
    ]
    return acls


def users() -> dict[str, list[Acl]]:
    """Every principal with its ACLs. The gateway is none: it has no Kafka connection at all."""
    found = {service_user(s): service_acls(s) for s in SERVICES}
    found[ANALYTICS_USER] = analytics_acls()
    found[OPERATOR_USER] = operator_acls()
    return found
