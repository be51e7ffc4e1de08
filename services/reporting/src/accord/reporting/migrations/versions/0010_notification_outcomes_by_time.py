"""Notification outcomes by when they happened: the retention sweep removes the oldest first
(`adapters/retention.py`), which without this index reads the whole table every sweep.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"CREATE INDEX notification_outcomes_by_time ON {schema}.notification_outcomes (occurred_at)")


def downgrade(schema: str) -> None:
    op.execute(f"DROP INDEX {schema}.notification_outcomes_by_time")
