"""Each domain event's analytics event: one per type, every field accounted for, no source id, no time of day, the
same message on every redelivery."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import pytest
from reporting_analytics import DOMAIN_EVENTS, period, sample, secret

from accord.reporting.analytics import pseudonyms as pseudonyms_module
from accord.reporting.analytics.derive import MAPPERS, analytics_envelope, persons_named
from accord.reporting.analytics.keys import Keyring
from accord.reporting.analytics.pseudonyms import Pseudonyms
from accord.reporting.bootstrap import subscriptions
from accord.reporting.handlers.analytics import ANALYTICS_SUBSCRIPTION
from accord.shared.events import Envelope
from accord.shared.events.contracts import analytics as a
from accord.shared.events.contracts import goals as g
from accord.shared.events.contracts.common import Measure, MilestoneSpec, Party
from accord.shared.events.registry import EVENTS

KEYS = Keyring({"tenant-a": (period(date(2025, 1, 1), secret("a")),)}, dev_fallback=False)
AT = datetime(2025, 3, 14, 21, 47, 13, tzinfo=UTC)
MATERIAL: defaultdict[UUID, bytes] = defaultdict(lambda: b"each person's own material")
ANALYTICS_EVENTS = {name for name, cls in EVENTS.items() if issubclass(cls, a.AnalyticsEvent)}
SCORES = {
    "GoalAgreed": {"baseline", "target"},
    "ProgressRecorded": {"value"},
    "GoalRatingRecorded": {"rating"},
    "QuestionnaireCompleted": {"total", "severity"},
    "SessionFeedbackGiven": {"scores"},
    "MilestoneSpec": {"threshold"},
    "GoalImportanceRated": {"importance", "feels_own"},
    "AlignmentDivergenceRaised": {"spread"},
}
"""Scores are health data, and none go into analytics events (the project's health-data rule)."""
RARE = {"ParticipantJoined": {"relationship_code"}, "Measure": {"unit_code"}}
"""Fields that could single someone out: open vocabularies of rare values (see the service's README)."""
DROPPED = {name: SCORES.get(name, set()) | RARE.get(name, set()) for name in {*SCORES, *RARE}}


def derive(source: Envelope) -> Envelope:
    return analytics_envelope(source, source.open(), KEYS, MATERIAL, producer="reporting")  # type: ignore[arg-type]


def wrapped(event_type: str, **extra: Any) -> Envelope:
    envelope = Envelope.wrap(sample(event_type), producer="goals", tenant_id="tenant-a", occurred_at=AT)
    return envelope.model_copy(update={"payload": {**envelope.payload, **extra}}) if extra else envelope


SPECIAL = {"shared_with": "shared_with_pseudonyms", "source_event_id": "source_event_id"}
"""A list of people; the id of an event, which stays a (pseudonymous) event id."""


def renamed(field: str) -> str:
    """How a domain field is named once pseudonymised or cut to its date."""
    if field in SPECIAL:
        return SPECIAL[field]
    if field.endswith("_id"):
        return field.removesuffix("_id") + "_pseudonym"
    if field.endswith("_by"):
        return field + "_pseudonym"
    if field.endswith("_at"):
        return field.removesuffix("_at") + "_on"
    return field


def test_each_domain_event_type_has_exactly_one_analytics_event_type() -> None:
    assert set(MAPPERS) == set(DOMAIN_EVENTS)
    made = {
        name: type(MAPPERS[name](sample(name), Pseudonyms(KEYS.key_for("tenant-a", AT.date()), uuid4(), MATERIAL)))
        for name in MAPPERS
    }
    assert {name: cls.event_type() for name, cls in made.items()} == {name: f"Analytics{name}" for name in MAPPERS}
    assert {cls.event_type() for cls in made.values()} == ANALYTICS_EVENTS


def test_the_worker_runs_the_analytics_stream_in_a_consumer_group_of_its_own() -> None:
    assert ANALYTICS_SUBSCRIPTION in subscriptions()
    assert ANALYTICS_SUBSCRIPTION.group_id == "reporting-analytics"


@pytest.mark.parametrize("event_type", sorted(DOMAIN_EVENTS))
def test_every_field_is_kept_pseudonymised_or_dated_unless_it_could_single_someone_out(event_type: str) -> None:
    source = DOMAIN_EVENTS[event_type].model_fields
    target = EVENTS[f"Analytics{event_type}"].model_fields
    kept = {renamed(f) for f in source if f not in DROPPED.get(event_type, set())}
    assert set(target) == kept | {"key_period"}


@pytest.mark.parametrize(
    ("domain", "analytics"),
    [(Measure, a.AnalyticsMeasure), (MilestoneSpec, a.PseudonymousMilestone), (Party, a.PseudonymousParty)],
)
def test_nested_values_follow_the_same_rules(domain: Any, analytics: Any) -> None:
    kept = {renamed(f) for f in domain.model_fields if f not in DROPPED.get(domain.__name__, set())}
    assert set(analytics.model_fields) == kept


@pytest.mark.parametrize("event_type", sorted(DOMAIN_EVENTS))
def test_no_source_id_and_no_time_of_day_survive(event_type: str) -> None:
    source = wrapped(event_type)
    derived = derive(source)
    text = derived.model_dump_json()
    for found in re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", source.model_dump_json()):
        assert found not in text and found.replace("-", "") not in text
    assert derived.occurred_at == datetime.combine(AT.date(), time(), UTC)
    assert not re.search(r"T\d\d:\d\d", derived.model_dump_json(include={"payload"}))
    assert (derived.event_type, derived.producer, derived.tenant_id) == (
        f"Analytics{event_type}",
        "reporting",
        "tenant-a",
    )
    assert derived.partition_key == derived.payload["client_pseudonym"]
    assert derived.payload["key_period"] == "2025-01-01"
    EVENTS[derived.event_type].model_validate(derived.payload)


def test_a_redelivered_event_gives_the_same_message() -> None:
    source = wrapped("GoalAgreed")
    assert derive(source).to_bytes() == derive(Envelope.from_bytes(source.to_bytes())).to_bytes()


def test_text_a_producer_slipped_into_a_payload_is_not_carried() -> None:
    words = {"statement": "Walk to school with Sam", "note": "felt wobbly", "email": "sam@example.org"}
    text = derive(wrapped("GoalProposed", **words)).to_bytes().decode()
    assert not any(value in text for value in words.values())


def test_dropped_fields_are_gone() -> None:
    joined = derive(wrapped("ParticipantJoined"))
    assert "relationship_code" not in joined.payload and joined.payload["role"]
    agreed = derive(wrapped("GoalAgreed"))
    assert "unit_code" not in agreed.payload["measure"] and agreed.payload["measure"]["kind"]


@pytest.mark.parametrize("event_type", sorted(DOMAIN_EVENTS))
def test_whom_an_event_names_is_found_without_a_pseudonym_and_is_all_its_message_needs(
    event_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, macs = wrapped(event_type), []
    real = pseudonyms_module.hmac.new
    monkeypatch.setattr(pseudonyms_module.hmac, "new", lambda *args, **kw: macs.append(1) or real(*args, **kw))
    named = persons_named(source, source.open(), KEYS)  # type: ignore[arg-type]
    assert macs == []  # the naming pass's event is thrown away: none of its pseudonyms is worth an HMAC
    material = {person: b"material of " + person.bytes for person in named}
    derived = analytics_envelope(source, source.open(), KEYS, material, producer="reporting")  # type: ignore[arg-type]
    assert macs and derived.payload["client_pseudonym"] != pseudonyms_module.NOT_A_PSEUDONYM


def test_chains_of_cause_and_effect_are_kept_within_the_stream() -> None:
    alert = wrapped("SafetySignalRaised")
    delivered = delivery_of(alert)
    derived_alert, derived_delivered = derive(alert), derive(delivered)
    assert derived_delivered.causation_id == derived_alert.event_id
    assert derived_delivered.correlation_id == derived_alert.correlation_id == derived_alert.event_id
    assert derived_delivered.payload["source_event_id"] == str(derived_alert.event_id)


def delivery_of(cause: Envelope) -> Envelope:
    event = sample("NotificationDelivered", client_id=cause.open().client_id)  # type: ignore[attr-defined]
    event = event.model_copy(update={"source_event_id": cause.event_id})
    return cause.caused(event, producer="notifications").model_copy(update={"occurred_at": AT})


def test_goal_agreed_keeps_the_structure_analysts_need_and_no_scores() -> None:
    source = wrapped("GoalAgreed")
    event = source.open()
    assert isinstance(event, g.GoalAgreed)
    payload = derive(source).payload
    assert payload["category_code"] == event.category_code
    # Scores are health data: none of the client's figures (baseline, target, thresholds) leave in analytics.
    assert not {"baseline", "target"} & payload.keys()
    assert all("threshold" not in m for m in payload["milestones"])
    assert payload["agreed_on"] == event.agreed_at.date().isoformat()
    assert payload["due_date"] == event.due_date.isoformat()


def test_ids_of_a_tenant_without_a_key_are_refused_rather_than_published_under_no_key() -> None:
    source = Envelope.wrap(sample("GoalPaused"), producer="goals", tenant_id=f"t-{uuid4().hex[:6]}", occurred_at=AT)
    with pytest.raises(LookupError):
        derive(source)


@pytest.mark.parametrize("event_type", ["GoalImportanceRated", "AlignmentDivergenceRaised"])
def test_a_partys_answers_and_the_spread_they_make_never_reach_the_analytics_stream(event_type: str) -> None:
    source = wrapped(event_type)
    payload = derive(source).payload
    assert not {"importance", "feels_own", "spread"} & payload.keys()
    if event_type == "GoalImportanceRated":
        assert payload["party"] == source.payload["party"]
