"""Dead-letter records: which events each consumer group has sent to its dead-letter topic, so that a second copy
is not dead-lettered again (accord.shared.inbox.IdempotentConsumer).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from accord.shared.outbox.ddl import dead_letter_records_ddl, drop_dead_letter_records_ddl

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in dead_letter_records_ddl(schema):
        op.execute(statement)


def downgrade(schema: str) -> None:
    for statement in drop_dead_letter_records_ddl(schema):
        op.execute(statement)
