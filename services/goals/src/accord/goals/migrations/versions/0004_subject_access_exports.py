"""Subject access exports: the requests this service keeps (and the parts each service reported stored), and the
goals service's own part of each.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from accord.goals.migrations.request_tables import create_request_table
from accord.shared.exports import downgrade_export_parts, upgrade_export_parts

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    create_request_table(schema, "exports", "export_id", "parts jsonb NOT NULL DEFAULT '{}'", ", requested_at")
    upgrade_export_parts(schema)


def downgrade(schema: str) -> None:
    downgrade_export_parts(schema)
    op.execute(f"DROP TABLE {schema}.exports")
