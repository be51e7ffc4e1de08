"""The episodes' data keys, which seal their events on the goals and progress topics (`accord.shared.episode_keys`).
Copies of the keys the goals service issues (`EpisodeKeyIssued`), destroyed when this service applies the
episode's `EpisodeRecordsExpired`.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from accord.shared.episode_keys import episode_keys_ddl

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in episode_keys_ddl(schema):
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.episode_keys")
