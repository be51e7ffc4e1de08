"""The AsyncAPI documents in docs/asyncapi/ are what the code says, are valid AsyncAPI 3, and would be caught
out by a change to an event model or a subscriber that was not regenerated (scripts/update-asyncapi)."""

import json
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
from pydantic import create_model

from accord.devtools.published import asyncapi
from accord.devtools.published.messages import events_on
from accord.devtools.published.services import (
    SERVICES,
    consumed_topics,
    consumer_groups,
    consumers_of,
    subscriptions_of,
)
from accord.shared.events.contracts.progress import ProgressEvent, ProgressRecorded
from accord.shared.events.registry import EVENTS, TOPICS
from accord.shared.runtime import Subscription

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json").read_text())


def committed(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / asyncapi.DOCS / f"{service}.json").read_text())
    return loaded


def test_the_committed_documents_are_what_the_code_generates() -> None:
    assert asyncapi.stale(ROOT) == {}, "run scripts/update-asyncapi"


@pytest.mark.parametrize("service", SERVICES)
def test_each_document_is_valid_asyncapi_3(service: str) -> None:
    errors = [e.message[:200] for e in jsonschema.Draft7Validator(ASYNCAPI_SCHEMA).iter_errors(committed(service))]
    assert errors == []


def _addresses(doc: dict[str, Any], action: str) -> set[str]:
    refs = [op["channel"]["$ref"].rsplit("/", 1)[-1] for op in doc["operations"].values() if op["action"] == action]
    return {doc["channels"][ref]["address"] for ref in refs}


@pytest.mark.parametrize("service", SERVICES)
def test_each_document_shows_what_the_service_subscribes_to_and_publishes(service: str) -> None:
    doc = committed(service)
    assert _addresses(doc, "receive") == set(consumed_topics(service))
    assert _addresses(doc, "send") == {t.name for t in TOPICS.values() if t.producer == service}
    groups = [
        op["bindings"]["kafka"]["groupId"]["enum"] for op in doc["operations"].values() if op["action"] == "receive"
    ]
    assert sorted({g for [g] in groups}) == sorted(consumer_groups(service))


def test_a_topic_is_described_by_the_envelopes_of_its_events() -> None:
    progress, reader = committed("progress"), committed(consumers_of("accord.progress.v1")[0])
    published = progress["components"]["schemas"]["accord.progress.v1:Message:Payload"]
    expected = [{"$ref": f"#/components/schemas/{cls.event_type()}Envelope"} for cls in events_on("accord.progress.v1")]
    assert published["oneOf"] == expected
    assert published["discriminator"] == "event_type"
    envelope = progress["components"]["schemas"]["ProgressRecordedEnvelope"]
    assert envelope["properties"]["payload"] == {"$ref": "#/components/schemas/ProgressRecorded"}
    # A subscriber reads what the producer publishes, described identically in both documents.
    assert reader["components"]["schemas"]["accord.progress.v1:Message:Payload"] == published
    assert reader["components"]["schemas"]["ProgressRecorded"] == progress["components"]["schemas"]["ProgressRecorded"]


def test_a_changed_event_model_is_caught_in_every_document_that_shows_it() -> None:
    changed = create_model("ProgressRecorded", __base__=ProgressRecorded, mood_code=(str, ...))
    events = {**EVENTS, "ProgressRecorded": changed}
    for service in ["progress", *consumers_of("accord.progress.v1")]:  # the producer and every subscriber
        current = json.loads(asyncapi.render(asyncapi.document(service, subscriptions_of(service), events=events)))
        found = asyncapi.differences(committed(service), current)
        assert any("ProgressRecorded" in d and "mood_code" in d for d in found), found


def test_a_new_event_type_is_caught() -> None:
    class GoalsRevisited(ProgressEvent):
        topic: ClassVar[str] = "accord.progress.v1"

    events = {**EVENTS, "GoalsRevisited": GoalsRevisited}
    current = json.loads(asyncapi.render(asyncapi.document("progress", subscriptions_of("progress"), events=events)))
    assert any("GoalsRevisitedEnvelope" in d for d in asyncapi.differences(committed("progress"), current))


def test_an_extra_subscriber_is_caught() -> None:
    subscriptions = [*subscriptions_of("progress"), Subscription(("accord.notifications.v1",), lambda _: {})]
    current = json.loads(asyncapi.render(asyncapi.document("progress", subscriptions)))
    found = asyncapi.differences(committed("progress"), current)
    assert "$.channels.accord.notifications.v1:OnEvents: only in the code" in found, found
