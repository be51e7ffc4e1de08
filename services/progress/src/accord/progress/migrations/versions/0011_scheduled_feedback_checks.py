"""Scheduled feedback checks: a session row the worker adds when an episode has had no session for the tenant's
interval, so that the young person is asked how things are going even when no session is marked held. It has no
therapist who held it.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.sessions ALTER COLUMN held_by DROP NOT NULL")
    op.execute(f"ALTER TABLE {schema}.sessions ADD COLUMN scheduled boolean NOT NULL DEFAULT false")


def downgrade(schema: str) -> None:
    op.execute(
        f"DELETE FROM {schema}.session_feedback f USING {schema}.sessions s "
        f"WHERE f.session_id = s.session_id AND s.scheduled"
    )
    op.execute(f"DELETE FROM {schema}.sessions WHERE scheduled")
    op.execute(f"ALTER TABLE {schema}.sessions DROP COLUMN scheduled")
    op.execute(f"ALTER TABLE {schema}.sessions ALTER COLUMN held_by SET NOT NULL")
