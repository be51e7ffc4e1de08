"""Episodes removed at the end of their clinical retention period (ids and times only, no clinical text): when, and
each service's report that it removed its own records of the episode (`<Service>EpisodeRecordsRemoved`), as
`erasure_requests.applied` holds each service's report of a decision.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.episode_expiries (
            tenant_id text NOT NULL,
            episode_id uuid NOT NULL,
            client_id uuid NOT NULL,
            expired_at timestamptz NOT NULL,
            removed jsonb NOT NULL DEFAULT '{{}}'::jsonb,
            PRIMARY KEY (tenant_id, episode_id)
        )""")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.episode_expiries")
