"""An index for a goal version's latest entries, the only history recording an entry reads.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"CREATE INDEX entries_latest ON {schema}.entries (goal_id, goal_version, occurred_at, entry_id)")
    op.execute(f"DROP INDEX {schema}.entries_by_goal")


def downgrade(schema: str) -> None:
    op.execute(f"CREATE INDEX entries_by_goal ON {schema}.entries (goal_id, occurred_at)")
    op.execute(f"DROP INDEX {schema}.entries_latest")
