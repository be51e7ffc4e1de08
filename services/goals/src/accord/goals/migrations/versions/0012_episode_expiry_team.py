"""The team of each expired episode in the ledger of removals, so that the supervisors of that team (who answer for
its records, and decide its erasure requests) can follow the removal (`GET /goals/episode-expiries`), newest first
by keyset. A removal noted before this has no team: no one's list shows it.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.episode_expiries ADD COLUMN team_id uuid")
    op.execute(
        f"CREATE INDEX episode_expiries_by_team ON {schema}.episode_expiries"
        " (tenant_id, team_id, expired_at DESC, episode_id DESC)"
    )


def downgrade(schema: str) -> None:
    op.execute(f"DROP INDEX {schema}.episode_expiries_by_team")
    op.execute(f"ALTER TABLE {schema}.episode_expiries DROP COLUMN team_id")
