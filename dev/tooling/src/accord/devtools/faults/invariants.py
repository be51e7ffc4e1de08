"""What the campaign checks afterwards, by counting: every event the progress service wrote reaches every consumer
group that applies it exactly once and in each client's order, every effect exists exactly once (effects.py), the
outbox is drained, and each dead-letter topic holds exactly the poison messages, once per consumer group. Counted in
SQL against the progress service's own outbox (the truth of what was written, including a commit the writer could
not confirm) and from the topics' end offsets on the campaign's own fresh broker."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer

from accord.devtools.faults import effects
from accord.devtools.testing import partitions_of
from accord.shared.events.registry import dead_letter_topic

TOPIC = "accord.progress.v1"
WRITER = "progress"
REAL = "NOT (o.headers ? 'poison')"
"""Outbox rows that are events, not the poison messages the campaign slips in (poison.py)."""
CONSUMERS = ("goals", "notifications", "reporting")
"""The services that follow the progress topic (the registry's consumers of `accord.progress.v1`)."""
GROUPS = {"goals": ("goals",), "notifications": ("notifications",), "reporting": ("reporting", "reporting-analytics")}
"""Each consuming service's consumer groups on it (reporting's analytics stream has a group of its own)."""
PASSED_OVER = {
    "goals": None,
    "notifications": ("AchievementStatusChanged",),
    "reporting": (),
    "reporting-analytics": (),
}
"""The campaign's event types each group passes over (no handler: no inbox row, no effect); None: all of them (the
goals service reads the progress topic only for export and erasure replies, but must still dead-letter poison)."""
SETUP_TOPIC, SETUP_WRITER = "accord.goals.v1", "goals"
SETUP_GROUPS = ("progress", "notifications", "reporting", "reporting-analytics")
"""Who must have built their views from the set-up's goals events before the first entry is written."""
OUTCOMES_TOPIC, OUTCOMES_WRITER = "accord.notifications.v1", "notifications"
OUTCOMES_GROUPS = ("goals", "reporting", "reporting-analytics")
"""Notification outcomes (each in-app message delivered) go on to reporting: part of the effects counted."""


@dataclass
class Counts:
    entries: int = 0
    """Entries the progress service recorded (its `entries` table)."""
    written: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    """The events written, by type: the ratings and the decisions the progress service made from them."""
    unsent: int = 0
    consumed: dict[str, int] = field(default_factory=dict)
    """Per consumer group: the campaign's events in its inbox (those it applies; the others it passes over)."""
    missing: dict[str, int] = field(default_factory=dict)
    repeated: dict[str, int] = field(default_factory=dict)
    published: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    poison: int = 0
    """Poison messages slipped into the outbox: each consumer group must dead-letter each once."""
    wrong_dead_letters: dict[str, int] = field(default_factory=dict)
    out_of_order: dict[str, int] = field(default_factory=dict)
    """Per consumer group: events applied in an earlier transaction than an event of the same client written before
    them (per-client order broken)."""
    most_copies: int | None = None
    """With the topic read: the most times one event was published (a relay republishes a batch at most once per
    fault that caught it in flight)."""
    strangers: int | None = None
    """With the topic read: events published that the outbox never held (must be none)."""

    @property
    def republished(self) -> int:
        """Publications beyond one per event: a relay killed between Kafka's ack and marking its rows sent sends
        them again. Each is a duplicate delivery that the inboxes had to absorb: above zero, the faults bit."""
        return self.published - self.written - self.poison

    def problems(self) -> list[str]:
        found = [f"{self.unsent} events never left the outbox"] if self.unsent else []
        found += [f"{where}: {n} events lost" for where, n in self.missing.items() if n]
        found += [f"{where}: {n} beyond one per cause" for where, n in self.repeated.items() if n]
        found += [
            f"{topic}: {n} dead letters not (or not once) a poison message"
            for topic, n in self.wrong_dead_letters.items()
            if n
        ]
        found += [f"{where}: {n} events applied out of per-client order" for where, n in self.out_of_order.items() if n]
        found += [f"{TOPIC}: {self.strangers} events published that were never written"] if self.strangers else []
        return found


async def out_of_order(conn: asyncpg.Connection, outbox: str, inbox: str, group: str) -> int:
    """Events whose inbox row was written in a transaction that started before that of an event of the same client
    (message key) written earlier to the outbox. A batch is one transaction, so events applied together share a
    time and tie; a later batch of one partition starts after the earlier one has committed."""
    return int(
        await conn.fetchval(
            f"""
            SELECT count(*) FROM (
                SELECT i.processed_at, max(i.processed_at) OVER (
                    PARTITION BY o.message_key ORDER BY o.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS latest_before
                FROM {outbox} o JOIN {inbox} i ON i.event_id = o.event_id AND i.consumer_group = $1
                WHERE o.topic = $2 AND {REAL}
            ) t WHERE processed_at < latest_before""",
            group,
            TOPIC,
        )
    )


def groups_of(services: list[str]) -> dict[str, tuple[str, ...]]:
    return {s: GROUPS[s] for s in services if s in GROUPS}


def _taken(group: str) -> str:
    """SQL: the outbox rows (alias o) of the campaign's events that `group` applies."""
    passed = PASSED_OVER[group]
    if passed is None:
        return "false"
    return f"{REAL} AND NOT (o.headers->>'event_type' = ANY('{{{','.join(passed)}}}'::text[]))"


async def count(
    url: str, bootstrap: str, kafka_options: dict[str, Any], services: list[str], read_topic: bool = False
) -> Counts:
    """`read_topic`: read every record of the topic too (how often each event went out), a minute or more for a
    million events."""
    counts, groups = Counts(), groups_of(services)
    conn = await asyncpg.connect(url, timeout=10)
    try:
        outbox = f"{WRITER}.outbox"
        counts.written = await conn.fetchval(f"SELECT count(*) FROM {outbox} o WHERE topic = $1 AND {REAL}", TOPIC)
        counts.entries = await conn.fetchval(f"SELECT count(*) FROM {WRITER}.entries")
        by_type = f"SELECT o.headers->>'event_type', count(*) FROM {outbox} o WHERE {REAL} GROUP BY 1 ORDER BY 2 DESC"
        counts.by_type = {r[0]: r[1] for r in await conn.fetch(by_type)}
        counts.unsent = await conn.fetchval(f"SELECT count(*) FROM {outbox} WHERE sent_at IS NULL")
        poison = {r["event_id"] for r in await conn.fetch(f"SELECT event_id FROM {outbox} o WHERE NOT {REAL}")}
        counts.poison = len(poison)
        for service in services:
            for group in groups.get(service, ()):
                if PASSED_OVER[group] is None:
                    continue
                where = f"{service}.inbox ({group})"
                taken = f"FROM {outbox} o JOIN {service}.inbox e ON e.event_id = o.event_id AND e.consumer_group = $2"
                counts.consumed[where] = await conn.fetchval(
                    f"SELECT count(*) {taken} WHERE o.topic = $1 AND {_taken(group)}", TOPIC, group
                )
                counts.missing[where] = await conn.fetchval(
                    f"SELECT count(*) FROM {outbox} o WHERE o.topic = $1 AND {_taken(group)} AND NOT EXISTS "
                    f"(SELECT 1 FROM {service}.inbox e WHERE e.event_id = o.event_id AND e.consumer_group = $2)",
                    TOPIC,
                    group,
                )
                counts.out_of_order[where] = await out_of_order(conn, outbox, f"{service}.inbox", group)
        for name, (missing, repeated) in (await effects.count(conn, services)).items():
            counts.missing[name], counts.repeated[name] = missing, repeated
    finally:
        await conn.close()
    consumers = [s for s in services if s in GROUPS]
    ends = await end_offsets(bootstrap, kafka_options, [TOPIC, *(dead_letter_topic(s) for s in consumers)])
    counts.published = ends.pop(TOPIC)
    counts.dead_letters = ends
    for service in consumers:
        # Each consumer group dead-letters each poison message once, and nothing else.
        letters = await _dead_letters(
            bootstrap, kafka_options, dead_letter_topic(service), ends[dead_letter_topic(service)]
        )
        expected = Counter({(group, event): 1 for group in groups[service] for event in poison})
        counts.wrong_dead_letters[dead_letter_topic(service)] = (letters - expected).total() + (
            expected - letters
        ).total()
    if read_topic:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            rows = await conn.fetch(f"SELECT event_id FROM {WRITER}.outbox WHERE topic = $1", TOPIC)
        finally:
            await conn.close()
        copies = await _copies(bootstrap, kafka_options, counts.published)
        counts.most_copies = max(copies.values(), default=0)
        counts.strangers = len(set(copies) - {r["event_id"] for r in rows})
    return counts


async def _dead_letters(bootstrap: str, options: dict[str, Any], topic: str, records: int) -> Counter[tuple[str, UUID]]:
    """(consumer group, event id) of every record on a dead-letter topic."""
    found: Counter[tuple[str, UUID]] = Counter()
    if not records:
        return found
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while found.total() < records:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                for r in batch:
                    headers = {k: v.decode() for k, v in r.headers}
                    found[(headers["dlq.consumer_group"], UUID(headers["event_id"]))] += 1
        return found
    finally:
        await consumer.stop()


async def _copies(bootstrap: str, options: dict[str, Any], published: int) -> Counter[UUID]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, TOPIC)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        copies: Counter[UUID] = Counter()
        while copies.total() < published:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batch.values():
                copies.update(UUID(dict(r.headers)["event_id"].decode()) for r in records)
        return copies
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str, options: dict[str, Any], topics: list[str]) -> dict[str, int]:
    """Records ever written to each topic (all of them start empty on the campaign's broker)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
    await consumer.start()
    try:
        totals = {}
        for topic in topics:
            offsets = await consumer.end_offsets(await partitions_of(consumer, topic))
            totals[topic] = sum(offsets.values())
        return totals
    finally:
        await consumer.stop()
