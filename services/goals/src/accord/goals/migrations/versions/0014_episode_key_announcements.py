"""Which key-encryption key each episode's data key was last announced under (`EpisodeKeyIssued.wrapping_key_id`), so
that after the wrapping key is rotated the worker announces every live key again under the new one, and the old one
can be dropped once compaction has removed the records wrapped under it. NULL: announced before keys were wrapped,
or by an earlier revision; announced again under the current wrapping key by the worker.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.episode_keys ADD COLUMN announced_under text")


def downgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.episode_keys DROP COLUMN announced_under")
