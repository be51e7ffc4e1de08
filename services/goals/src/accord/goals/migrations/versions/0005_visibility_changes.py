"""Who allowed which family members to see a goal, and when: one row per change of what family members may see.

Revision ID: 0005
Revises: 0004

Written in the same transaction as the goal (`adapters/visibility_changes.py`). Goals shared before this revision
have no row for how they came to be shared; their history in the goal's own document (`made shared`) remains.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.visibility_changes (
            id bigserial PRIMARY KEY,
            tenant_id text NOT NULL,
            goal_id uuid NOT NULL REFERENCES {schema}.goals (goal_id),
            client_id uuid NOT NULL,
            changed_by uuid NOT NULL,
            changed_at timestamptz NOT NULL,
            visibility text NOT NULL,
            shared_with uuid[] NOT NULL,
            cause text NOT NULL
        )""")
    op.execute(f"CREATE INDEX visibility_changes_by_goal ON {schema}.visibility_changes (goal_id, id)")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.visibility_changes")
