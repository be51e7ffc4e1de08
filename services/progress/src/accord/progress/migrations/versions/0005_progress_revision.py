"""A goal's progress revision: the transaction that last changed what its progress answer is built from.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    # A transaction id, not a counter: ids never repeat in a cluster, so a goal row rebuilt from events can never
    # come back with a revision an earlier answer was cached under.
    op.execute(f"ALTER TABLE {schema}.goals ADD COLUMN progress_revision bigint NOT NULL DEFAULT 0")


def downgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.goals DROP COLUMN progress_revision")
