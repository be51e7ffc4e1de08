"""The Kafka ACLs in deploy/kafka/ agree with the topic registry: every service may write what it produces and
read what it consumes, nobody writes another's topic, and analytics may read only accord.analytics.*."""

from collections.abc import Callable

import pytest
import yaml

from accord.devtools.published import acls, kafka_files
from accord.devtools.published.kafka_files import Grant
from accord.shared.events.registry import TOPICS

USERS = (kafka_files.KAFKA_ROOT / kafka_files.USERS_FILE).read_text()
SCRIPT = (kafka_files.KAFKA_ROOT / kafka_files.SCRIPT_FILE).read_text()
ANALYTICS = f"User:{acls.ANALYTICS_USER}"
OPERATOR = f"User:{acls.OPERATOR_USER}"


def test_the_committed_files_are_what_the_code_generates() -> None:
    assert kafka_files.stale_files() == [], "run scripts/update-event-catalog"


def test_strimzi_users_and_the_script_grant_the_same_and_agree_with_the_registry() -> None:
    grants = kafka_files.grants_from_users(USERS)
    assert grants == kafka_files.grants_from_script(SCRIPT)
    assert kafka_files.check_grants(grants) == []


def test_analytics_may_read_only_the_analytics_topics_in_its_own_groups() -> None:
    grants = kafka_files.grants_from_users(USERS)
    assert {g for g in grants if g[0] == ANALYTICS} == {
        (ANALYTICS, "topic", "accord.analytics.", "prefix", "Read"),
        (ANALYTICS, "topic", "accord.analytics.", "prefix", "Describe"),
        (ANALYTICS, "group", "analytics-", "prefix", "Read"),
    }
    readers = {g[0] for g in grants if g[1] == "topic" and g[4] == "Read" and g[2].startswith("accord.analytics")}
    assert readers == {ANALYTICS}


def test_every_service_may_write_the_topics_it_produces() -> None:
    grants = kafka_files.grants_from_users(USERS) & kafka_files.grants_from_script(SCRIPT)
    for spec in TOPICS.values():
        assert (f"User:accord-{spec.producer}", "topic", spec.name, "literal", "Write") in grants


def test_the_users_are_applied_to_the_strimzi_cluster_in_namespace_kafka() -> None:
    kustomization = yaml.safe_load((kafka_files.KAFKA_ROOT / "kustomization.yaml").read_text())
    assert kustomization["namespace"] == "kafka" and kustomization["resources"] == [kafka_files.USERS_FILE]
    users = list(yaml.safe_load_all(USERS))
    assert {u["metadata"]["name"] for u in users} == set(acls.users())
    assert all(u["metadata"]["labels"] == {"strimzi.io/cluster": "accord"} for u in users)


def _with(grant: Grant) -> Callable[[set[Grant]], None]:
    return lambda grants: grants.add(grant)


def _without(grant: Grant) -> Callable[[set[Grant]], None]:
    return lambda grants: grants.discard(grant)


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (_with((ANALYTICS, "topic", "accord.", "prefix", "Read")), "analytics may only read accord.analytics."),
        (_with((ANALYTICS, "topic", "accord.analytics.", "prefix", "Write")), "which it does not produce"),
        (_with((ANALYTICS, "group", "reporting", "literal", "Read")), "may Read group reporting"),
        (_without((ANALYTICS, "topic", "accord.analytics.", "prefix", "Read")), "cannot read accord.analytics.v1"),
        (_without(("User:accord-goals", "topic", "accord.goals.v1", "literal", "Write")), "cannot write accord.goals"),
        (_with(("User:accord-progress", "topic", "accord.goals.v1", "literal", "Write")), "which it does not produce"),
        (_without(("User:accord-progress", "topic", "accord.goals.v1", "literal", "Read")), "cannot read"),
        (_without(("User:accord-reporting", "group", "reporting", "literal", "Read")), "its consumer group"),
        (_with((OPERATOR, "topic", "accord.goals.v1", "literal", "Read")), "the operator reads only dead-letter"),
        (_with((OPERATOR, "topic", "accord.analytics.v1", "literal", "Write")), "which it does not produce"),
    ],
)
def test_acls_that_disagree_with_the_registry_are_caught(
    breakage: Callable[[set[Grant]], None], complaint: str
) -> None:
    grants = kafka_files.grants_from_users(USERS)
    breakage(grants)
    problems = kafka_files.check_grants(grants)
    assert any(complaint in p for p in problems), problems
