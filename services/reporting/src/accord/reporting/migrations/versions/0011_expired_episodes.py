"""Episodes whose clinical retention period is over (from `EpisodeRecordsExpired`, ids only): their rows are removed
from every projection, and a rebuild, which replays the topics from offset 0 and so brings them back, removes them
again before it commits (`adapters/rebuild.py`). Like `restricted_clients`, not a projection: a rebuild keeps it.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.expired_episodes (
            tenant_id text NOT NULL,
            episode_id uuid NOT NULL,
            client_id uuid NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, episode_id)
        )""")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.expired_episodes")
