"""Dead-letter records: which events each consumer group has sent to its dead-letter topic, so that a second copy
is not dead-lettered again (accord.shared.inbox.IdempotentConsumer).

Revision ID: 0009
Revises: 0008
"""

from accord.shared.outbox.ddl import downgrade_dead_letter_records as downgrade
from accord.shared.outbox.ddl import upgrade_dead_letter_records as upgrade

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
