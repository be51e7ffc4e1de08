"""The analytics stream's consumer: each domain event's analytics event goes to the outbox in the inbox transaction.

So it is published at least once, never twice in effect for one delivery (the inbox), with the same id on any
redelivery (derive.py), and in order per client pseudonym (the relay never overtakes an older row of a key).
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from uuid import UUID

from opentelemetry import context

from accord.reporting.adapters.person_keys import PersonKeys
from accord.reporting.analytics.derive import MAPPERS, analytics_envelope, persons_named
from accord.reporting.handlers import CONSUMED_TOPICS
from accord.reporting.settings import Settings
from accord.shared.db import Connection
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import ErasureDecided
from accord.shared.inbox import BatchEffect, Delivered, EventHandler
from accord.shared.runtime import Resources, Subscription

ANALYTICS_GROUP = "reporting-analytics"
"""A consumer group of its own: the stream neither waits for nor is skipped by the projections (nor their rebuild)."""


def analytics_handlers(resources: Resources[Settings]) -> Mapping[str, EventHandler]:
    settings = resources.settings
    keys = settings.analytics_keyring()

    async def on_events(conn: Connection, delivered: Sequence[Delivered]) -> None:
        # The persons' key material looked up once per tenant for the batch, and one outbox insert for the batch's
        # events, in their order (the relay keeps it per client pseudonym). An ErasureDecided is a handler of its
        # own, so a batch never spans one: material destroyed by it is never used by an event after it.
        store, named = PersonKeys(conn, settings.db_schema), defaultdict[str, set[UUID]](set)
        for d in delivered:
            named[d.envelope.tenant_id] |= persons_named(d.envelope, d.event, keys)
        material = {tenant: await store.material(tenant, ids) for tenant, ids in named.items()}
        derived = [
            analytics_envelope(d.envelope, d.event, keys, material[d.envelope.tenant_id], producer=settings.service)
            for d in delivered
        ]
        with _untraced():
            await resources.outbox.add_many(conn, derived)

    async def on_erasure_decided(conn: Connection, envelope: Envelope, event: ErasureDecided) -> None:
        """Destroyed again here, in the stream's order of the client's events: an event from before the decision
        still on its way to this consumer may have made fresh material after the projections destroyed it."""
        await PersonKeys(conn, settings.db_schema).destroy(envelope.tenant_id, event.client_id)

    return {**dict.fromkeys(MAPPERS, BatchEffect(on_events)), "ErasureDecided": on_erasure_decided}


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
