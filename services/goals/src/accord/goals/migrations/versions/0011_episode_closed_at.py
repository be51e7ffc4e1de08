"""The time an episode closed as a column of its own, indexed among closed episodes, so that the clinical retention
sweep finds the next due episode from the index in closing order rather than reading every closed episode's document
(the time in the document cannot be indexed: its text-to-timestamptz cast depends on the session's time zone).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.episodes ADD COLUMN closed_at timestamptz")
    op.execute(
        f"UPDATE {schema}.episodes SET closed_at = (doc->>'closed_at')::timestamptz"
        " WHERE status = 'closed' AND doc->>'closed_at' IS NOT NULL"
    )
    op.execute(f"CREATE INDEX episodes_closed_by_time ON {schema}.episodes (closed_at) WHERE status = 'closed'")


def downgrade(schema: str) -> None:
    op.execute(f"DROP INDEX {schema}.episodes_closed_by_time")
    op.execute(f"ALTER TABLE {schema}.episodes DROP COLUMN closed_at")
