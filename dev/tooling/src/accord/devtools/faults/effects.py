"""The effects the campaign's events must have had exactly once, counted in SQL after the run: in the progress
service itself (each entry's row and its event), in notifications (a celebration in the client's inbox for each
milestone or target reached, a note in the therapist's for each review suggested), and in reporting (each entry's
projection row, each decision's, each in-app message's outcome, each event's analytics event).

Each check gives (missing, extra): effects that should be there and are not, and effects beyond one per cause (a
second copy, or one with no cause). Where a table's key makes a second copy impossible, a lost one is still found.
"""

from dataclasses import dataclass

import asyncpg

EVENTS = "progress.outbox o WHERE o.topic = 'accord.progress.v1' AND NOT (o.headers ? 'poison')"
DECISIONS = ("MilestoneReached", "GoalTargetReached", "AchievementStatusChanged", "ReviewSuggested")
CELEBRATED = ("MilestoneReached", "GoalTargetReached")
ANALYSED = ("GoalRatingRecorded", *DECISIONS)
"""The campaign's event types that the analytics stream derives an event from, one each (`Analytics` + type)."""


@dataclass(frozen=True)
class Effect:
    name: str
    services: tuple[str, ...]
    missing: str
    extra: str


def _of(types: tuple[str, ...]) -> str:
    return f"o.headers->>'event_type' IN ({', '.join(repr(t) for t in types)})"


def _in_app(recipient: str) -> str:
    """In-app messages caused by event o (alias d), each with its in_app_messages row (the inbox item)."""
    return (
        "notifications.deliveries d JOIN notifications.in_app_messages m ON m.id = d.id "
        f"WHERE d.source_event_id = o.event_id AND d.channel = 'in_app' AND {recipient}"
    )


TO_CLIENT = "d.recipient_id = o.message_key::uuid"  # the progress topic is keyed by client

EFFECTS = [
    Effect(
        "progress.entries and their GoalRatingRecorded events",
        ("progress",),
        f"SELECT greatest(0, (SELECT count(*) FROM progress.entries) - (SELECT count(*) FROM {EVENTS} "
        f"AND {_of(('GoalRatingRecorded',))}))",
        f"SELECT greatest(0, (SELECT count(*) FROM {EVENTS} AND {_of(('GoalRatingRecorded',))}) "
        "- (SELECT count(*) FROM progress.entries))",
    ),
    Effect(
        "reporting.entries",
        ("reporting",),
        "SELECT count(*) FROM progress.entries e "
        "WHERE NOT EXISTS (SELECT 1 FROM reporting.entries r WHERE r.entry_id = e.entry_id)",
        "SELECT count(*) FROM reporting.entries r "
        "WHERE NOT EXISTS (SELECT 1 FROM progress.entries e WHERE e.entry_id = r.entry_id)",
    ),
    Effect(
        "reporting.progress_decisions",
        ("reporting",),
        f"SELECT count(*) FROM {EVENTS} AND {_of(DECISIONS)} "
        "AND NOT EXISTS (SELECT 1 FROM reporting.progress_decisions r WHERE r.event_id = o.event_id)",
        "SELECT count(*) FROM reporting.progress_decisions r "
        "WHERE NOT EXISTS (SELECT 1 FROM progress.outbox o WHERE o.event_id = r.event_id)",
    ),
    Effect(
        "notifications: the client's celebration inbox item per milestone or target reached",
        ("notifications",),
        f"SELECT count(*) FROM {EVENTS} AND {_of(CELEBRATED)} AND NOT EXISTS (SELECT 1 FROM {_in_app(TO_CLIENT)})",
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT (SELECT count(*) FROM {_in_app(TO_CLIENT)}) "
        f"AS n FROM {EVENTS} AND {_of(CELEBRATED)}) t WHERE n > 1",
    ),
    Effect(
        "notifications: the therapist's inbox item per review suggested",
        ("notifications",),
        f"SELECT count(*) FROM {EVENTS} AND {_of(('ReviewSuggested',))} "
        f"AND NOT EXISTS (SELECT 1 FROM {_in_app('true')})",
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT (SELECT count(*) FROM {_in_app('true')}) "
        f"AS n FROM {EVENTS} AND {_of(('ReviewSuggested',))}) t WHERE n > 1",
    ),
    Effect(
        "reporting.notification_outcomes of those in-app messages",
        ("notifications", "reporting"),
        f"SELECT count(*) FROM notifications.deliveries d WHERE EXISTS (SELECT 1 FROM {EVENTS} "
        "AND o.event_id = d.source_event_id) AND NOT EXISTS "
        "(SELECT 1 FROM reporting.notification_outcomes r WHERE r.notification_id = d.id)",
        "SELECT count(*) - count(DISTINCT notification_id) FROM reporting.notification_outcomes",
    ),
    Effect(
        "analytics events (reporting's outbox)",
        ("reporting",),
        "SELECT coalesce(sum(greatest(0, s.n - coalesce(a.n, 0))), 0) FROM "
        f"(SELECT o.headers->>'event_type' AS t, count(*) AS n FROM {EVENTS} AND {_of(ANALYSED)} GROUP BY 1) s "
        "LEFT JOIN (SELECT substr(headers->>'event_type', 10) AS t, count(*) AS n FROM reporting.outbox "
        "WHERE topic = 'accord.analytics.v1' GROUP BY 1) a ON a.t = s.t",
        "SELECT coalesce(sum(greatest(0, a.n - coalesce(s.n, 0))), 0) FROM "
        f"(SELECT o.headers->>'event_type' AS t, count(*) AS n FROM {EVENTS} AND {_of(ANALYSED)} GROUP BY 1) s "
        "RIGHT JOIN (SELECT substr(headers->>'event_type', 10) AS t, count(*) AS n FROM reporting.outbox "
        f"WHERE topic = 'accord.analytics.v1' AND substr(headers->>'event_type', 10) IN "
        f"({', '.join(repr(t) for t in ANALYSED)}) GROUP BY 1) a ON a.t = s.t",
    ),
]


async def count(conn: asyncpg.Connection, services: list[str]) -> dict[str, tuple[int, int]]:
    """(missing, extra) of each effect whose services all ran."""
    found = {}
    for effect in EFFECTS:
        if all(s in services for s in effect.services):
            found[effect.name] = (int(await conn.fetchval(effect.missing)), int(await conn.fetchval(effect.extra)))
    return found
