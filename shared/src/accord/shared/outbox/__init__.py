"""Transactional outbox: an event is stored in the same transaction as the change it announces, and a relay
publishes it to Kafka afterwards. Nothing is published for a change that rolled back; nothing committed is lost."""

from accord.shared.outbox.relay import OutboxRelay
from accord.shared.outbox.store import Outbox

__all__ = ["Outbox", "OutboxRelay"]
