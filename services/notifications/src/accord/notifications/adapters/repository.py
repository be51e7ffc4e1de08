"""The notifications service's repository: its adapters on one connection, as one object that handlers are given
(never the connection itself), and the unit of work that opens one in a transaction of its own.

The handlers depend on `handlers.ports.NotificationsRepository`; the tests' in-memory fake
(`tests/notifications_fakes.InMemoryRepository`) is the other thing that satisfies it.
"""

from functools import partial

from accord.notifications.adapters.care_teams import CareTeams
from accord.notifications.adapters.deliveries import Deliveries
from accord.notifications.adapters.email_confirmations import EmailConfirmations
from accord.notifications.adapters.erasure import Erasure
from accord.notifications.adapters.in_app_messages import InAppMessages
from accord.notifications.adapters.pending_triggers import PendingTriggers
from accord.notifications.adapters.people import People
from accord.notifications.adapters.retention import Retention
from accord.shared import db
from accord.shared.db import Connection, Pool
from accord.shared.events import Envelope
from accord.shared.outbox import Outbox


class Repository:
    """Everything this service stores, on one connection; `publish` adds outbox rows in the same transaction."""

    def __init__(self, conn: Connection, outbox: Outbox) -> None:
        self.conn, self.outbox = conn, outbox
        self.care_teams = CareTeams(conn)
        self.deliveries = Deliveries(conn)
        self.people = People(conn)
        self.email_confirmations = EmailConfirmations(conn)
        self.in_app_messages = InAppMessages(conn)
        self.held_triggers = PendingTriggers(conn)
        self.retention = Retention(conn)
        self.erasure = Erasure(conn, outbox.schema)

    async def publish(self, *envelopes: Envelope) -> None:
        await self.outbox.add(self.conn, *envelopes)


class UnitOfWork(db.UnitOfWork[Repository]):
    """A repository with the outbox in a transaction of its own: what the worker's own loops (dispatching,
    check-ins, retention) run in."""

    def __init__(self, pool: Pool, outbox: Outbox) -> None:
        super().__init__(pool, partial(Repository, outbox=outbox))
