"""The analytics stream's consumer: each domain event's analytics event goes to the outbox in the inbox transaction.

So it is published at least once, never twice in effect for one delivery (the inbox), with the same id on any
redelivery (derive.py), and in order per client pseudonym (the relay never overtakes an older row of a key).
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context

from accord.reporting.analytics.derive import MAPPERS, analytics_envelope
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.reporting.settings import Settings
from accord.shared.db import Connection
from accord.shared.inbox import BatchEffect, Delivered, EventHandler
from accord.shared.runtime import Resources, Subscription

ANALYTICS_GROUP = "reporting-analytics"
"""A consumer group of its own: the stream neither waits for nor is skipped by the projections (nor their rebuild)."""


def analytics_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    settings = resources.settings
    keys = settings.analytics_keyring()

    async def on_events(conn: Connection, delivered: Sequence[Delivered]) -> None:
        # One outbox insert for the batch's events, in their order (the relay keeps it per client pseudonym).
        derived = [analytics_envelope(d.envelope, d.event, keys, producer=settings.service) for d in delivered]
        with _untraced():
            await resources.outbox.add_many(conn, derived)

    return dict.fromkeys(MAPPERS, BatchEffect(on_events))


@contextmanager
def _untraced() -> Iterator[None]:
    """The outbox copies the current trace context into the message headers; a trace id would join an analytics
    message to the operational traces of the domain event, so the analytics rows are written outside any trace."""
    token = context.attach(context.Context())
    try:
        yield
    finally:
        context.detach(token)


ANALYTICS_SUBSCRIPTION = Subscription(
    CONSUMED_TOPICS,
    analytics_handlers,
    description="the pseudonymised analytics stream (accord.analytics.v1), derived from every domain event",
    group_id=ANALYTICS_GROUP,
)
