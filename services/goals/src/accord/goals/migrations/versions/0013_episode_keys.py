"""The episodes' data keys, which seal their events on the goals and progress topics (`accord.shared.episode_keys`).
The goals service makes each key in the transaction that opens the episode and destroys it in the one that expires
the episode. Episodes opened before this revision get theirs from the worker's backfill (entrypoints/episode_keys.py).

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from accord.shared.episode_keys import episode_keys_ddl

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in episode_keys_ddl(schema):
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.episode_keys")
