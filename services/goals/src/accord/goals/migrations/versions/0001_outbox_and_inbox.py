"""Outbox and inbox tables.

Revision ID: 0001
Revises:
"""

from alembic import op

from accord.shared.outbox.ddl import drop_outbox_and_inbox_ddl, outbox_and_inbox_ddl

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in outbox_and_inbox_ddl(schema):
        op.execute(statement)


def downgrade(schema: str) -> None:
    for statement in drop_outbox_and_inbox_ddl(schema):
        op.execute(statement)
