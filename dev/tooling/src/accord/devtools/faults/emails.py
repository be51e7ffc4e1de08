"""E-mails, counted after the run against the campaign's own knowledge of who should get what.

Every client and therapist registered an address through the notifications service's own handlers and confirmed it
by the link the service sent; three clients in four kept e-mail on, the fourth chose no e-mail (writer.wants_email);
the therapists keep the defaults (immediate, no quiet hours). So an e-mail is due, sent at once, for:
- each MilestoneReached or GoalTargetReached: the celebration to the client (if they want e-mail) and the update to
  their therapist;
- each ReviewSuggested: the note to the therapist.
Each must be one `deliveries` row (channel e-mail) marked sent, and its Message-ID (the delivery's id, the same on
every attempt) must have reached the sink, addressed to its recipient. The service promises at least once for SMTP:
a worker that dies after the server took the message and before its commit sends it again, with the same
Message-ID. So distinct ids must arrive exactly once each; the copies beyond that are counted and reported.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from accord.devtools.faults import effects, writer
from accord.devtools.faults.mail import Received


@dataclass
class EmailCounts:
    due: int = 0
    """E-mails that must have gone out: (cause, recipient) pairs."""
    by_kind: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    """Delivery rows marked sent."""
    received: int = 0
    """Distinct Message-IDs of deliveries that reached the sink."""
    copies: int = 0
    """Messages the sink took beyond one per Message-ID: sent again after a crash between the server's acceptance
    and the delivery's commit (the service's at-least-once, recognisable by the same Message-ID)."""
    most_copies: int = 0
    confirmations: int = 0
    """Confirmation e-mails (one per address registered)."""
    missing: int = 0
    """Due e-mails with no delivery row."""
    extra: int = 0
    """Delivery rows beyond one per due e-mail, or for no due e-mail (someone who chose none, an unknown cause)."""
    unsent: int = 0
    """Delivery rows of due e-mails not marked sent (pending, failed or cancelled)."""
    not_received: int = 0
    """Rows marked sent whose Message-ID never reached the sink."""
    strangers: int = 0
    """Messages in the sink that are neither a delivery marked sent nor a confirmation, or to the wrong address."""

    def problems(self) -> list[str]:
        named = {
            "due e-mails with no delivery": self.missing,
            "e-mail deliveries beyond one per due e-mail": self.extra,
            "due e-mails not marked sent": self.unsent,
            "e-mails marked sent that never reached the mail server": self.not_received,
            "e-mails at the mail server that were not due (or to the wrong address)": self.strangers,
        }
        return [f"{n} {what}" for what, n in named.items() if n]

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n:,}" for k, n in self.by_kind.items())
        return (
            f"e-mails due {self.due:,} ({kinds}); delivery rows sent {self.sent:,}; distinct Message-IDs at the mail "
            f"server {self.received:,}; sent again with the same Message-ID {self.copies:,} (most copies of one: "
            f"{self.most_copies}); confirmation e-mails {self.confirmations:,}"
        )


def due(events: Iterable[asyncpg.Record], clients: dict[UUID, writer.Client]) -> Counter[tuple[UUID, UUID, str]]:
    """(event, recipient, kind) of each e-mail the events make due."""
    wanted: Counter[tuple[UUID, UUID, str]] = Counter()
    for event in events:
        client = clients[UUID(event["message_key"])]
        if event["type"] == "ReviewSuggested":
            wanted[(event["event_id"], client.therapist_id, "review note to the therapist")] += 1
            continue
        if writer.wants_email(client):
            wanted[(event["event_id"], client.client_id, "celebration to the client")] += 1
        wanted[(event["event_id"], client.therapist_id, "update to the therapist")] += 1
    return wanted


async def count(conn: asyncpg.Connection, clients: list[writer.Client], received: list[Received]) -> EmailCounts:
    counts = EmailCounts()
    events = await conn.fetch(
        f"SELECT o.event_id, o.message_key, o.headers->>'event_type' AS type FROM {effects.EVENTS} "
        f"AND o.headers->>'event_type' IN ('MilestoneReached', 'GoalTargetReached', 'ReviewSuggested')"
    )
    wanted = due(events, {c.client_id: c for c in clients})
    counts.due = len(wanted)
    counts.by_kind = dict(Counter(kind for _, _, kind in wanted))
    pairs = {(event, person) for event, person, _ in wanted}
    rows = await conn.fetch(
        "SELECT id, source_event_id, recipient_id, status FROM notifications.deliveries WHERE channel = 'email'"
    )
    per_pair = Counter((r["source_event_id"], r["recipient_id"]) for r in rows)
    counts.missing = len(pairs - set(per_pair))
    counts.extra = sum(n - (1 if pair in pairs else 0) for pair, n in per_pair.items())
    counts.unsent = sum(1 for r in rows if (r["source_event_id"], r["recipient_id"]) in pairs and r["status"] != "sent")
    sent = {r["id"]: r["recipient_id"] for r in rows if r["status"] == "sent"}
    counts.sent = len(sent)
    copies: Counter[UUID] = Counter()
    for message in received:
        if message.token is not None:
            counts.confirmations += 1
            continue
        delivery = _delivery_id(message.message_id)
        if delivery is None or delivery not in sent or message.to != writer.address(sent[delivery]):
            counts.strangers += 1
            continue
        copies[delivery] += 1
    counts.received = len(copies)
    counts.copies = copies.total() - len(copies)
    counts.most_copies = max(copies.values(), default=0)
    counts.not_received = len(set(sent) - set(copies))
    return counts


def _delivery_id(message_id: str) -> UUID | None:
    """`<delivery id@sender's domain>` (the notifications service's Message-ID)."""
    try:
        return UUID(message_id.strip("<>").partition("@")[0])
    except ValueError:
        return None
