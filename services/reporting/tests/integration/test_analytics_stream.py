"""Against real Kafka and PostgreSQL: a scripted journey's domain events in, the reporting worker running, and on
accord.analytics.v1 every one of them once, pseudonymised, with nothing identifying the journey used, in order per
client pseudonym; the same client under the same pseudonym within a key period, and a different one after the
tenant's key is rotated or under another tenant's key."""

import asyncio
import dataclasses
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from uuid import UUID, uuid4

import asyncpg
import pytest
from reporting_analytics import secret
from reporting_analytics_journey import ROTATION, WORDS, Journey, script
from reporting_live import publish

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import Record, header, read_topic
from accord.reporting.analytics.derive import analytics_envelope
from accord.reporting.handlers.analytics import ANALYTICS_SUBSCRIPTION
from accord.reporting.settings import Settings
from accord.shared.events import Envelope
from accord.shared.events.registry import EVENTS, topic_for
from accord.shared.runtime import episode_keys_subscription, run_worker

pytestmark = pytest.mark.integration
TOPIC = "accord.analytics.v1"


@dataclasses.dataclass
class Landed:
    journey: Journey
    expected: dict[UUID, Envelope]
    """Analytics event id -> the domain event it stands for."""
    ours: list[Record]
    """The analytics messages of the journey's tenants, in partition and offset order."""
    everything: list[Record]
    """Every message on the analytics topic by then, whoever's."""
    material: dict[str, dict[UUID, bytes]]
    """tenant -> person -> their own analytics key material (reporting.analytics_person_keys)."""


@pytest.fixture(scope="module")
async def landed(infra: Infra, service_env: dict[str, str], admin_db: asyncpg.Pool) -> AsyncIterator[Landed]:
    journey = script()
    settings = Settings(analytics_keys=journey.keys())
    keys = settings.analytics_keyring()
    await publish(infra.bootstrap_servers, journey.envelopes)
    # A group of its own, so that no other worker of the session takes partitions of the journey's events.
    own = uuid4().hex[:8]
    subscription = dataclasses.replace(ANALYTICS_SUBSCRIPTION, group_id=f"reporting-analytics-{own}")
    # Its keys too: the new group reads the sealed topics from their start, with other tests' episodes on them.
    key_copies = dataclasses.replace(episode_keys_subscription("reporting"), group_id=f"reporting-episode-keys-{own}")
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, [subscription, key_copies], stop=stop))
    tenants = {journey.tenant_a, journey.tenant_b}

    def all_there(records: list[Record]) -> bool:
        return len({_envelope(r).event_id for r in records if header(r, "tenant_id") in tenants}) >= len(
            journey.envelopes
        )

    try:
        everything = await read_topic(infra.bootstrap_servers, TOPIC, until=all_there, timeout=60)
    finally:
        stop.set()
        await worker
    ours = sorted((r for r in everything if header(r, "tenant_id") in tenants), key=lambda r: (r.partition, r.offset))
    # Each person's own material, as the worker made it (random: read back, to say what each message stands for).
    material = await _person_material(admin_db, tenants)
    expected = {
        analytics_envelope(e, e.open(), keys, material[e.tenant_id], producer="reporting").event_id: e  # type: ignore[arg-type]
        for e in journey.envelopes
    }
    yield Landed(journey, expected, ours, everything, material)


async def _person_material(admin_db: asyncpg.Pool, tenants: set[str]) -> dict[str, dict[UUID, bytes]]:
    rows = await admin_db.fetch(
        "SELECT tenant_id, person_id, secret FROM reporting.analytics_person_keys WHERE tenant_id = ANY($1)",
        list(tenants),
    )
    material: dict[str, dict[UUID, bytes]] = defaultdict(dict)
    for r in rows:
        material[r["tenant_id"]][r["person_id"]] = bytes(r["secret"])
    return material


def _envelope(record: Record) -> Envelope:
    return Envelope.from_bytes(record.value or b"")


def _pseudonym(secret_name: str, person: UUID, material: bytes) -> str:
    message = f"person:{person}:".encode() + material
    return hmac.new(secret(secret_name).encode(), message, hashlib.sha256).hexdigest()[:32]


async def test_every_domain_event_of_the_journey_is_on_the_stream_once_in_pseudonymised_form(landed: Landed) -> None:
    ids = [_envelope(r).event_id for r in landed.ours]
    assert sorted(ids) == sorted(landed.expected), "one analytics message per domain event, and no other"
    assert len({e.event_type for e in landed.expected.values()}) == 23, "the journey has every domain event type"
    for record in landed.ours:
        message, source = _envelope(record), landed.expected[_envelope(record).event_id]
        assert message.event_type == f"Analytics{source.event_type}"
        assert message.producer == "reporting" and message.tenant_id == source.tenant_id
        assert record.key == message.partition_key.encode() == message.payload["client_pseudonym"].encode()
        assert message.occurred_at == datetime.combine(source.occurred_at.date(), time(), UTC)
        assert header(record, "traceparent") is None


async def test_no_message_carries_an_id_a_name_an_address_or_words_the_journey_used(landed: Landed) -> None:
    sources = b"".join(e.to_bytes() for e in landed.journey.envelopes).decode()
    assert all(words in sources for words in WORDS.values()), "the journey did put them into the domain events"
    ids = landed.journey.identifiers()
    forbidden = {str(i) for i in ids} | {i.hex for i in ids} | {w.lower() for w in WORDS.values()}
    for record in landed.everything:
        raw = b" ".join([record.value or b"", record.key or b"", *(v for _, v in record.headers or ())])
        text = raw.decode(errors="replace").lower()
        leaks = sorted(f for f in forbidden if f in text)
        assert leaks == [], f"{record.topic}/{record.partition}@{record.offset} carries {leaks}"


async def test_a_client_keeps_a_pseudonym_within_a_key_period_and_not_across_periods_or_tenants(
    landed: Landed,
) -> None:
    j = landed.journey
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in landed.ours:
        source = landed.expected[_envelope(record).event_id]
        tenant = "a" if source.tenant_id == j.tenant_a else "b"
        period = "second" if source.occurred_at.date() >= ROTATION else "first"
        who = "client" if UUID(source.payload["client_id"]) == j.client else "other"
        seen[(f"{tenant}-{period}", who)].add(_envelope(record).payload["client_pseudonym"])
    a, b = landed.material[j.tenant_a], landed.material[j.tenant_b]
    assert seen[("a-first", "client")] == {_pseudonym("a-first", j.client, a[j.client])}
    assert seen[("a-second", "client")] == {_pseudonym("a-second", j.client, a[j.client])}
    assert seen[("b-first", "client")] == {_pseudonym("b", j.client, b[j.client])}
    assert seen[("a-first", "other")] == {_pseudonym("a-first", j.other_client, a[j.other_client])}
    assert len({p for pseudonyms in seen.values() for p in pseudonyms}) == 4


async def test_each_client_pseudonyms_events_keep_the_order_of_their_topic(landed: Landed) -> None:
    published = {e.event_id: i for i, e in enumerate(landed.journey.envelopes)}
    by_key: dict[tuple[bytes | None, str], list[int]] = defaultdict(list)
    for record in landed.ours:
        source = landed.expected[_envelope(record).event_id]
        by_key[(record.key, topic_for(source.event_type))].append(published[source.event_id])
    assert by_key and all(order == sorted(order) for order in by_key.values())


async def test_what_an_analyst_reads_is_a_valid_analytics_event(landed: Landed) -> None:
    for record in landed.ours:
        message = _envelope(record)
        event = EVENTS[message.event_type].model_validate(message.payload)
        assert json.loads(event.model_dump_json()) == message.payload
