"""Dead-letter records: which events each consumer group has sent to its dead-letter topic, so that a second copy
is not dead-lettered again (accord.shared.inbox.IdempotentConsumer).

Revision ID: 0010
Revises: 0009
"""

from accord.shared.outbox.ddl import downgrade_dead_letter_records as downgrade
from accord.shared.outbox.ddl import upgrade_dead_letter_records as upgrade

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
